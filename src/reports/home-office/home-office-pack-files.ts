/**
 * The Home Office submission pack's files (issue 15 item 4), written in this process: the cover
 * sheet and the action plan as DOCX (`docx`), the action plan as XLSX (`exceljs`), and the zip
 * holding them with the latest overview report and executive summary (`jszip`). Pure: the
 * service loads the model (home-office-pack.service.ts) and these write it.
 */
import { BorderStyle, Document, HeadingLevel, Packer, PageOrientation, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { dateInWords } from '../../shared/display-dates';
import type { HoldAsAt, KeyDate } from '../committee-report';

export interface ActionPlanRow {
  recommendationNumber: number;
  recommendation: string;
  scope: string;
  action: string;
  leadAgency: string;
  milestones: string;
  /** ISO dates (YYYY-MM-DD) or null. */
  targetDate: string | null;
  completedOn: string | null;
  outcome: string;
}

export interface PackModel {
  reference: string;
  csp: { code: string; name: string };
  /** The victim's pseudonym (never a real name), if recorded. */
  pseudonym: string | null;
  guidanceVersion: string;
  /** The day the pack was made (London). */
  preparedOn: string;
  keyDates: KeyDate[];
  holds: HoldAsAt[];
  /** The review's process, dated: stages entered, holds, board and Home Office rounds. */
  chronology: Array<{ date: string; text: string }>;
  chair: Array<{ organisation: string; appointedOn: string; independenceDeclaredOn: string | null; endedOn: string | null }>;
  panel: Array<{ agency: string; role: string; joinedOn: string; leftOn: string | null; declaredOn: string | null }>;
  agenciesLeftOut: Array<{ agency: string; reason: string }>;
  imrs: Array<{ agency: string; kind: string; requestedOn: string; dueOn: string; receivedOn: string | null; waived: boolean }>;
  family: Array<{ date: string; text: string }>;
  actionPlan: ActionPlanRow[];
  /** What earlier rounds' letters asked to change, and what was done (a resubmission answers them). */
  qaChanges: Array<{ round: number; number: number; text: string; doneOn: string | null; note: string | null }>;
  /** The documents the zip holds besides the generated ones (their names in the zip). */
  documents: Array<{ kind: 'overview_report' | 'executive_summary'; title: string; versionNo: number; uploadedOn: string; fileName: string }>;
}

export const COVER_TITLE = 'Domestic homicide review: submission to the Home Office';
export const ACTION_PLAN_TITLE = 'Action plan';
/** The usual layout of a DHR action plan, as the Home Office template has it. */
export const ACTION_PLAN_HEADINGS = [
  'Recommendation',
  'Scope (local, regional or national)',
  'Action to take',
  'Lead agency',
  'Key milestones',
  'Target date',
  'Date of completion and outcome',
] as const;

/** The action plan's rows as text (dates in words), the same in DOCX and on any page. */
export function actionPlanText(rows: readonly ActionPlanRow[]): string[][] {
  return rows.map((r) => [
    `${r.recommendationNumber}. ${r.recommendation}`,
    r.scope,
    r.action,
    r.leadAgency,
    r.milestones,
    r.targetDate ? dateInWords(r.targetDate) : '',
    r.completedOn ? `${dateInWords(r.completedOn)}: ${r.outcome}` : '',
  ]);
}

/** The files of the zip, by name: `<reference>-<what>.<ext>`. */
export function packFileNames(model: Pick<PackModel, 'reference'>) {
  return {
    zip: `${model.reference}-home-office-pack.zip`,
    cover: `${model.reference}-cover-sheet.docx`,
    actionPlanDocx: `${model.reference}-action-plan.docx`,
    actionPlanXlsx: `${model.reference}-action-plan.xlsx`,
  };
}

/** The cover sheet's sections: [heading, rows] (a table of two or more columns each). */
export function coverSections(m: PackModel): Array<{ heading: string; headings?: string[]; rows: string[][]; empty: string }> {
  const yesOn = (d: string | null) => (d ? `Declared on ${dateInWords(d)}` : 'Not declared');
  return [
    {
      heading: 'The review',
      rows: [
        ['Community Safety Partnership', m.csp.name],
        ['Reference', m.reference],
        ['Victim (pseudonym)', m.pseudonym ?? 'Not recorded'],
        ['Statutory guidance followed', `Multi-agency Statutory Guidance for the Conduct of Domestic Homicide Reviews (${m.guidanceVersion})`],
        ['Pack prepared on', dateInWords(m.preparedOn)],
      ],
      empty: '',
    },
    { heading: 'Key dates', rows: m.keyDates.map((k) => [k.label, k.text]), empty: 'None recorded.' },
    {
      heading: 'Independent chair',
      headings: ['Organisation', 'Appointed', 'Declaration of independence', 'Ended'],
      rows: m.chair.map((c) => [c.organisation, dateInWords(c.appointedOn), yesOn(c.independenceDeclaredOn), c.endedOn ? dateInWords(c.endedOn) : '']),
      empty: 'No chair recorded.',
    },
    {
      heading: 'Panel',
      headings: ['Agency', 'Role', 'Joined', 'Left', 'Declaration of independence (no direct case management)'],
      rows: m.panel.map((p) => [p.agency, p.role, dateInWords(p.joinedOn), p.leftOn ? dateInWords(p.leftOn) : '', yesOn(p.declaredOn)]),
      empty: 'No panel members recorded.',
    },
    {
      heading: 'Agencies not on the panel or without an IMR',
      headings: ['Agency', 'Reason'],
      rows: m.agenciesLeftOut.map((a) => [a.agency, a.reason]),
      empty: 'None: every agency that had contact sat on the panel and gave an IMR.',
    },
    {
      heading: 'IMRs and short reports',
      headings: ['Agency', 'Kind', 'Requested', 'Due', 'Received'],
      rows: m.imrs.map((i) => [i.agency, i.kind, dateInWords(i.requestedOn), dateInWords(i.dueOn), i.receivedOn ? dateInWords(i.receivedOn) : i.waived ? 'Waived' : 'Not received']),
      empty: 'No IMRs commissioned.',
    },
    { heading: 'Family involvement', headings: ['Date', 'What happened'], rows: m.family.map((f) => [dateInWords(f.date), f.text]), empty: 'No contact with the family recorded.' },
    { heading: 'Process chronology', headings: ['Date', 'What happened'], rows: m.chronology.map((c) => [dateInWords(c.date), c.text]), empty: 'Nothing recorded.' },
    {
      heading: 'Holds and reasons',
      headings: ['Reason', 'From', 'To'],
      rows: m.holds.map((h) => [h.reasonLabel, dateInWords(h.from), h.to ? dateInWords(h.to) : 'Still on hold']),
      empty: 'The review was never on hold.',
    },
    ...(m.qaChanges.length
      ? [
          {
            heading: 'Changes asked for by the Home Office, and what was done',
            headings: ['Round', 'Change asked for', 'Done', 'What was done'],
            rows: m.qaChanges.map((c) => [String(c.round), `${c.number}. ${c.text}`, c.doneOn ? dateInWords(c.doneOn) : 'Not done', c.note ?? '']),
            empty: '',
          },
        ]
      : []),
    {
      heading: 'In this pack',
      headings: ['Document', 'Version', 'Uploaded', 'File'],
      rows: [
        ...m.documents.map((d) => [d.kind === 'overview_report' ? 'Overview report' : 'Executive summary', String(d.versionNo), dateInWords(d.uploadedOn), d.fileName]),
        ['Action plan (spreadsheet)', '', dateInWords(m.preparedOn), packFileNames(m).actionPlanXlsx],
        ['Action plan (document)', '', dateInWords(m.preparedOn), packFileNames(m).actionPlanDocx],
      ],
      empty: '',
    },
  ];
}

const border = { style: BorderStyle.SINGLE, size: 4, color: '505A5F' };
const borders = { top: border, bottom: border, left: border, right: border, insideHorizontal: border, insideVertical: border };
const cell = (text: string, bold = false) =>
  new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold })] })], margins: { top: 60, bottom: 60, left: 80, right: 80 } });
const table = (rows: string[][], headings?: readonly string[]) =>
  new Table({
    width: { size: 100, type: WidthType.PERCENTAGE },
    borders,
    rows: [
      ...(headings ? [new TableRow({ tableHeader: true, children: headings.map((h) => cell(h, true)) })] : []),
      ...rows.map((row) => new TableRow({ children: row.map((text, i) => cell(text, !headings && i === 0)) })),
    ],
  });

export async function coverSheetDocx(m: PackModel): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [
    new Paragraph({ text: COVER_TITLE, heading: HeadingLevel.TITLE }),
    new Paragraph({ text: `${m.reference}, ${m.csp.name}` }),
  ];
  for (const section of coverSections(m)) {
    children.push(new Paragraph({ text: section.heading, heading: HeadingLevel.HEADING_1 }));
    children.push(section.rows.length ? table(section.rows, section.headings) : new Paragraph({ text: section.empty }));
  }
  const doc = new Document({ creator: 'Domestic Homicide Review', title: `${COVER_TITLE}: ${m.reference}`, sections: [{ children }] });
  return Packer.toBuffer(doc);
}

export async function actionPlanDocx(m: PackModel): Promise<Buffer> {
  const rows = actionPlanText(m.actionPlan);
  const doc = new Document({
    creator: 'Domestic Homicide Review',
    title: `${ACTION_PLAN_TITLE}: ${m.reference}`,
    sections: [
      {
        properties: { page: { size: { orientation: PageOrientation.LANDSCAPE } } },
        children: [
          new Paragraph({ text: `${ACTION_PLAN_TITLE}: ${m.reference}`, heading: HeadingLevel.TITLE }),
          new Paragraph({ text: `${m.csp.name}, as at ${dateInWords(m.preparedOn)}` }),
          rows.length ? table(rows, ACTION_PLAN_HEADINGS) : new Paragraph({ text: 'The review makes no recommendations.' }),
        ],
      },
    ],
  });
  return Packer.toBuffer(doc);
}

/** A spreadsheet would run text starting with = + - @ as a formula: such text gets a leading apostrophe. */
const safe = (text: string) => (text === '' ? null : /^[=+\-@\t\r]/.test(text) ? `'${text}` : text);

/** The action plan as a workbook: one sheet, the usual headings, dates as dates. */
export async function actionPlanXlsx(m: PackModel): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'Domestic Homicide Review';
  const sheet = book.addWorksheet(ACTION_PLAN_TITLE);
  sheet.addRow([`${ACTION_PLAN_TITLE}: ${m.reference}`]).font = { bold: true, size: 14 };
  sheet.addRow([`${m.csp.name}, as at ${dateInWords(m.preparedOn)}`]);
  sheet.addRow([...ACTION_PLAN_HEADINGS, 'Outcome']).font = { bold: true };
  const asDate = (d: string | null) => (d ? new Date(`${d}T00:00:00Z`) : null);
  for (const r of m.actionPlan) {
    const row = sheet.addRow([
      safe(`${r.recommendationNumber}. ${r.recommendation}`),
      r.scope,
      safe(r.action),
      safe(r.leadAgency),
      safe(r.milestones),
      asDate(r.targetDate),
      asDate(r.completedOn),
      safe(r.outcome),
    ]);
    row.getCell(6).numFmt = 'd mmmm yyyy';
    row.getCell(7).numFmt = 'd mmmm yyyy';
    row.alignment = { wrapText: true, vertical: 'top' };
  }
  [40, 14, 40, 24, 32, 16, 18, 40].forEach((width, i) => (sheet.getColumn(i + 1).width = width));
  return Buffer.from(await book.xlsx.writeBuffer());
}

/**
 * The zip: the cover sheet, the overview report and executive summary as uploaded, the action
 * plan as XLSX and DOCX. Every entry is dated the day the pack was prepared, and so is every
 * file inside the generated DOCX and XLSX (see dated): the same case file on the same day gives
 * the same bytes, so the pack's SHA-256 (its ETag, and the hash the submission records) changes
 * only when what it says does.
 */
export async function packZip(m: PackModel, documents: Array<{ fileName: string; content: Buffer }>): Promise<Buffer> {
  const names = packFileNames(m);
  const zip = new JSZip();
  const date = new Date(`${m.preparedOn}T12:00:00Z`);
  const [cover, planDocx, planXlsx] = await Promise.all([coverSheetDocx(m), actionPlanDocx(m), actionPlanXlsx(m)].map(async (made) => dated(await made, date)));
  zip.file(names.cover, cover, { date });
  for (const d of documents) zip.file(d.fileName, d.content, { date });
  zip.file(names.actionPlanXlsx, planXlsx, { date });
  zip.file(names.actionPlanDocx, planDocx, { date });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}

/**
 * An Office file (a zip) with the build's clock taken out: `docx` and `exceljs` stamp the time of
 * writing on each entry and in docProps/core.xml (created, modified); both become `date`. The
 * entries keep their order and content.
 */
export async function dated(file: Buffer, date: Date): Promise<Buffer> {
  const read = await JSZip.loadAsync(file);
  const out = new JSZip();
  const stamp = date.toISOString().replace(/\.\d{3}Z$/, 'Z');
  for (const entry of Object.values(read.files)) {
    if (entry.dir) {
      out.folder(entry.name);
      continue;
    }
    let content: Buffer | string = await entry.async('nodebuffer');
    if (entry.name === 'docProps/core.xml') content = content.toString('utf8').replace(/(<dcterms:(created|modified)\b[^>]*>)[^<]*(<\/dcterms:\2>)/g, `$1${stamp}$3`);
    out.file(entry.name, content, { date });
  }
  // Folders too are dated (JSZip gives an added folder the time of adding).
  for (const entry of Object.values(out.files)) entry.date = date;
  return out.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
