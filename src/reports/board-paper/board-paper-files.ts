/**
 * The board paper as DOCX (`docx`) and PDF (`pdfkit`), written in this process with the committee
 * report's table helpers. Both hold the same sections, headings and rows (`paperSections`); a part
 * the caller may not read is "Not shown".
 */
import { Document, HeadingLevel, Packer, Paragraph, Table, TableRow, WidthType } from 'docx';
import PDFDocument from 'pdfkit';
import { dateInWords } from '../../shared/display-dates';
import { borders, cell, table as pdfTable } from '../committee-report-files';
import type { BoardPaper, Shown } from './board-paper';

export const NOT_SHOWN = 'Not shown';
const NONE = 'None recorded';

export function paperTitle(paper: BoardPaper): string {
  return `Board paper: ${paper.reference}`;
}

/** "For the Responsible Authorities Group of Maldon Community Safety Partnership. Prepared on 4 December 2026." */
export function paperSubtitle(paper: BoardPaper): string {
  return `For the ${paper.boardName} of ${paper.csp.name}. Prepared on ${dateInWords(paper.preparedOn)}.`;
}

export interface PaperSection {
  heading: string;
  /** A second-level heading under the one before. */
  sub?: boolean;
  /** A paragraph: "Not shown", "None recorded" or a note. */
  text?: string;
  table?: { headings: string[] | null; rows: string[][]; widths: number[] };
}

const d = (date: string | null | undefined) => (date ? dateInWords(date) : '');

function guarded<T extends { rows: unknown[] }>(heading: string, part: Shown<T>, headings: string[], widths: number[], row: (r: T['rows'][number]) => string[], sub = false): PaperSection {
  if (!part.shown) return { heading, sub, text: NOT_SHOWN };
  if (part.rows.length === 0) return { heading, sub, text: NONE };
  return { heading, sub, table: { headings, rows: part.rows.map(row), widths } };
}

/** The paper's sections as headings and rows, the same in every format. */
export function paperSections(paper: BoardPaper): PaperSection[] {
  const sections: PaperSection[] = [
    {
      heading: 'Summary',
      table: {
        headings: null,
        widths: [0.3, 0.7],
        rows: [
          ['Reference', paper.reference],
          ['Victim (pseudonym)', paper.pseudonym.shown ? (paper.pseudonym.value ?? NONE) : NOT_SHOWN],
          ['Partnership', paper.csp.name],
          ['Stage', paper.stageLabel],
        ],
      },
    },
  ];
  const chronology = paper.chronology;
  sections.push({ heading: 'Process chronology', table: { headings: ['Date', 'Event'], rows: chronology.entries.map((e) => [d(e.date), e.event]), widths: [0.25, 0.75] } });
  if (chronology.notShown.length > 0) sections.push({ heading: '', text: `${NOT_SHOWN}: ${chronology.notShown.join(', ')} (your role may not read them).` });

  sections.push({ heading: 'The panel' });
  sections.push(
    guarded(
      'Independent chair and report writer',
      paper.appointments,
      ['Role', 'Organisation', 'Appointed', 'Declaration of independence'],
      [0.22, 0.3, 0.22, 0.26],
      (a) => [a.role, a.organisation, a.endedOn ? `${d(a.appointedOn)} (ended ${d(a.endedOn)})` : d(a.appointedOn), a.independenceDeclaredOn ? `Declared on ${d(a.independenceDeclaredOn)}` : 'Not declared'],
      true,
    ),
  );
  sections.push(
    guarded(
      'Panel members',
      paper.panel,
      ['Agency', 'Role', 'Joined', 'No direct management of the case'],
      [0.28, 0.28, 0.2, 0.24],
      (p) => [p.agency, p.role, p.leftOn ? `${d(p.joinedOn)} (left ${d(p.leftOn)})` : d(p.joinedOn), p.declaredOn ? `Declared on ${d(p.declaredOn)}` : 'Not declared'],
      true,
    ),
  );
  sections.push(
    guarded(
      'Individual management reviews (IMRs)',
      paper.imrs,
      ['Agency', 'Kind', 'Requested', 'Due', 'Received or waived'],
      [0.2, 0.18, 0.16, 0.18, 0.28],
      (i) => [
        i.agency,
        i.kind,
        d(i.requestedOn),
        i.extensions > 0 ? `${d(i.dueOn)} (extended${i.extensions > 1 ? ` ${i.extensions} times` : ''})` : d(i.dueOn),
        i.receivedOn ? `Received on ${d(i.receivedOn)}` : i.waived ? `Waived${i.waived.on ? ` on ${d(i.waived.on)}` : ''}: ${i.waived.reason}` : 'Outstanding',
      ],
    ),
  );
  sections.push(guarded('Family involvement', paper.family, ['Date', 'Entry', 'Detail'], [0.22, 0.38, 0.4], (f) => [d(f.date), f.entry, f.detail]));
  sections.push(
    paper.holds.length === 0
      ? { heading: 'Holds', text: 'None: the review has not been on hold' }
      : {
          heading: 'Holds',
          table: {
            headings: ['Reason', 'From', 'To'],
            widths: [0.3, 0.3, 0.4],
            rows: paper.holds.map((h) => [h.reasonLabel, d(h.from), h.to ? d(h.to) : `Still on hold${h.expectedEnd ? ` (expected to end ${d(h.expectedEnd)})` : ''}`]),
          },
        },
  );
  sections.push(
    guarded('Recommendations', paper.recommendations, ['No.', 'Recommendation', 'Level', 'Addressee', 'Status'], [0.08, 0.44, 0.16, 0.18, 0.14], (r) => [
      String(r.number),
      r.text,
      r.level,
      r.addressee,
      r.status,
    ]),
  );
  sections.push(
    guarded('Action plan', paper.actionPlan, ['Rec.', 'Action', 'Lead agency', 'Target date', 'Status'], [0.08, 0.4, 0.18, 0.16, 0.18], (a) => [
      String(a.recommendation),
      a.action,
      a.leadAgency,
      a.targetDate ? d(a.targetDate) : 'None set',
      a.completedOn ? `${a.status} (${d(a.completedOn)})` : a.status,
    ]),
  );
  return sections;
}

export async function boardPaperDocx(paper: BoardPaper): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [new Paragraph({ text: paperTitle(paper), heading: HeadingLevel.TITLE }), new Paragraph({ text: paperSubtitle(paper) })];
  for (const section of paperSections(paper)) {
    if (section.heading) children.push(new Paragraph({ text: section.heading, heading: section.sub ? HeadingLevel.HEADING_2 : HeadingLevel.HEADING_1 }));
    if (section.text) children.push(new Paragraph({ text: section.text }));
    if (section.table) {
      const { headings, rows } = section.table;
      children.push(
        new Table({
          width: { size: 100, type: WidthType.PERCENTAGE },
          borders,
          rows: [
            ...(headings ? [new TableRow({ tableHeader: true, children: headings.map((h) => cell(h, true)) })] : []),
            ...rows.map((row) => new TableRow({ children: row.map((text, column) => cell(text, !headings && column === 0)) })),
          ],
        }),
      );
    }
  }
  const doc = new Document({ creator: 'Domestic Homicide Review', title: paperTitle(paper), description: paperSubtitle(paper), sections: [{ children }] });
  return Packer.toBuffer(doc);
}

export function boardPaperPdf(paper: BoardPaper): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: paperTitle(paper), Subject: paperSubtitle(paper) } });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const width = doc.page.width - 100;
    doc.font('Helvetica-Bold').fontSize(18).text(paperTitle(paper), { width });
    doc.moveDown(0.3).font('Helvetica').fontSize(11).text(paperSubtitle(paper), { width });
    for (const section of paperSections(paper)) {
      if (section.heading) doc.moveDown().font('Helvetica-Bold').fontSize(section.sub ? 12 : 14).text(section.heading, 50, undefined, { width });
      if (section.text) doc.moveDown(0.3).font('Helvetica').fontSize(10).text(section.text, 50, undefined, { width });
      if (section.table) {
        doc.moveDown(0.3);
        const { headings, rows, widths } = section.table;
        pdfTable(doc, headings ? [headings, ...rows] : rows, widths, width, headings !== null);
      }
    }
    doc.end();
  });
}
