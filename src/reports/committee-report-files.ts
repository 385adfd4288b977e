/**
 * The committee progress report as DOCX (the `docx` library) and as PDF (`pdfkit`): both written
 * in this process, no browser at run time. They hold the same headings, rows and sentences as
 * the page: a summary table (reference, stage, latest milestone, next step), then per review its
 * paragraph, key dates and holds.
 */
import {
  AlignmentType,
  BorderStyle,
  Document,
  HeadingLevel,
  Packer,
  Paragraph,
  Table,
  TableCell,
  TableRow,
  TextRun,
  WidthType,
} from 'docx';
import PDFDocument from 'pdfkit';
import { dateInWords } from '../shared/display-dates';
import type { ReviewAsAt } from './committee-report';

export interface CommitteeReport {
  asAt: string;
  csps: Array<{ code: string; name: string }>;
  /** Every review the report covers (across its pages); `reviews` holds those of `page` (all of them when not paged). */
  total: number;
  page: number;
  pages: number;
  reviews: ReviewAsAt[];
}

export const REPORT_TITLE = 'Committee progress report: domestic homicide reviews';

/** "Maldon Community Safety Partnership, as at 8 November 2017". */
export function reportSubtitle(report: CommitteeReport): string {
  return `${report.csps.map((c) => c.name).join(', ')}, as at ${dateInWords(report.asAt)}`;
}

/** The summary table's rows (the same in every format). */
export const SUMMARY_HEADINGS = ['Reference', 'Stage', 'Latest milestone', 'Next step'] as const;
export function summaryRows(report: CommitteeReport): string[][] {
  return report.reviews.map((r) => [
    r.pseudonym ? `${r.reference} (${r.pseudonym})` : r.reference,
    r.stageLabel,
    r.latestMilestone ? `${r.latestMilestone.text}, ${dateInWords(r.latestMilestone.date)}` : '',
    nextStepText(r),
  ]);
}

export function nextStepText(r: ReviewAsAt): string {
  if (!r.nextStep) return 'None: the review has ended';
  return r.nextStep.dueDate ? `${r.nextStep.text}, due by ${dateInWords(r.nextStep.dueDate)}` : r.nextStep.text;
}

export function holdsText(r: ReviewAsAt): string {
  if (r.holds.length === 0) return 'None';
  return r.holds
    .map((h) => `${h.reasonLabel}: from ${dateInWords(h.from)}${h.to ? ` to ${dateInWords(h.to)}` : `, still on hold${h.expectedEnd ? ` (expected to end ${dateInWords(h.expectedEnd)})` : ''}`}`)
    .join('; ');
}

/** Each review's detail rows: key dates, then holds. */
export function detailRows(r: ReviewAsAt): Array<[string, string]> {
  return [['Stage', r.stageLabel], ...r.keyDates.map((k): [string, string] => [k.label, k.text]), ['Holds', holdsText(r)]];
}

const EMPTY = 'No reviews of these partnerships had been notified by this date, or none you may see.';

/** A DOCX table cell (shared with the board paper). */
export const cell = (text: string, bold = false) =>
  new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })], margins: { top: 60, bottom: 60, left: 80, right: 80 } });

const border = { style: BorderStyle.SINGLE, size: 4, color: '505A5F' };
export const borders = { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border };

export async function committeeReportDocx(report: CommitteeReport): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [
    new Paragraph({ text: REPORT_TITLE, heading: HeadingLevel.TITLE }),
    new Paragraph({ text: reportSubtitle(report) }),
    new Paragraph({ text: 'Summary', heading: HeadingLevel.HEADING_1 }),
  ];
  if (report.reviews.length === 0) children.push(new Paragraph({ text: EMPTY }));
  else {
    children.push(
      new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        borders,
        rows: [
          new TableRow({ tableHeader: true, children: SUMMARY_HEADINGS.map((h) => cell(h, true)) }),
          ...summaryRows(report).map((row) => new TableRow({ children: row.map((text) => cell(text)) })),
        ],
      }),
    );
  }
  for (const r of report.reviews) {
    children.push(new Paragraph({ text: r.pseudonym ? `${r.reference} (${r.pseudonym})` : r.reference, heading: HeadingLevel.HEADING_2 }));
    children.push(new Paragraph({ text: r.paragraph, alignment: AlignmentType.LEFT }));
    children.push(
      new Table({
        width: { size: 100, type: WidthType.PERCENTAGE },
        borders,
        rows: detailRows(r).map(([label, text]) => new TableRow({ children: [cell(label, true), cell(text)] })),
      }),
    );
  }
  const doc = new Document({
    creator: 'Domestic Homicide Review',
    title: REPORT_TITLE,
    description: reportSubtitle(report),
    sections: [{ children }],
  });
  return Packer.toBuffer(doc);
}

export function committeeReportPdf(report: CommitteeReport): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: REPORT_TITLE, Subject: reportSubtitle(report) } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const width = doc.page.width - 100;
    doc.font('Helvetica-Bold').fontSize(18).text(REPORT_TITLE, { width });
    doc.moveDown(0.3).font('Helvetica').fontSize(11).text(reportSubtitle(report), { width });
    doc.moveDown().font('Helvetica-Bold').fontSize(14).text('Summary');
    doc.moveDown(0.3);
    if (report.reviews.length === 0) doc.font('Helvetica').fontSize(10).text(EMPTY, { width });
    else table(doc, [SUMMARY_HEADINGS as unknown as string[], ...summaryRows(report)], [0.22, 0.2, 0.29, 0.29], width, true);
    for (const r of report.reviews) {
      doc.moveDown().font('Helvetica-Bold').fontSize(13).text(r.pseudonym ? `${r.reference} (${r.pseudonym})` : r.reference, 50, undefined, { width });
      doc.moveDown(0.3).font('Helvetica').fontSize(10).text(r.paragraph, { width });
      doc.moveDown(0.5);
      table(doc, detailRows(r), [0.3, 0.7], width, false);
    }
    doc.end();
  });
}

/** A plain PDF table: one row after another, cells wrapped, a new page when a row would not fit (shared with the board paper). */
export function table(doc: PDFKit.PDFDocument, rows: string[][], fractions: number[], width: number, header: boolean): void {
  const left = 50;
  const pad = 4;
  rows.forEach((row, index) => {
    const bold = header && index === 0;
    const widths = fractions.map((f) => f * width);
    const fontFor = (column: number) => (bold || (!header && column === 0) ? 'Helvetica-Bold' : 'Helvetica');
    const heights = row.map((text, column) => doc.font(fontFor(column)).fontSize(9).heightOfString(text, { width: widths[column] - 2 * pad }));
    const height = Math.max(...heights) + 2 * pad;
    if (doc.y + height > doc.page.height - 50) doc.addPage();
    const top = doc.y;
    let x = left;
    row.forEach((text, column) => {
      doc.rect(x, top, widths[column], height).lineWidth(0.5).strokeColor('#505a5f').stroke();
      doc.font(fontFor(column)).fontSize(9).fillColor('#0b0c0c').text(text, x + pad, top + pad, { width: widths[column] - 2 * pad });
      x += widths[column];
    });
    doc.x = left;
    doc.y = top + height;
  });
}
