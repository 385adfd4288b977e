import ExcelJS from 'exceljs';
import { dateInWords } from '../../shared/display-dates';
import type { Cell, FigureTable } from './oversight-figures';
import type { OversightReport } from './oversight.service';

/** A cell as text: dates as YYYY-MM-DD (CSV) or in words (the page), no value as empty. */
export function cellText(cell: Cell, dates: 'iso' | 'words'): string {
  if (cell === null) return '';
  if (typeof cell === 'object') return dates === 'iso' ? cell.date : dateInWords(cell.date);
  return String(cell);
}

/** A spreadsheet would run text starting with = + - @ as a formula: such text gets a leading apostrophe. */
const safe = (text: string) => (/^[=+\-@\t\r]/.test(text) && !/^-?\d+(\.\d+)?$/.test(text) ? `'${text}` : text);
const quoted = (text: string) => (/[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** One table as CSV (RFC 4180, CRLF), its headings first. */
export function tableCsv(table: FigureTable): string {
  const lines = [table.headings, ...table.rows.map((row) => row.map((c) => cellText(c, 'iso')))];
  return lines.map((line) => line.map((t) => quoted(safe(t))).join(',')).join('\r\n') + '\r\n';
}

/** Every table as one workbook: a sheet saying what it is, then a sheet per table (dates as dates). */
export async function oversightXlsx(report: OversightReport): Promise<Buffer> {
  return tablesXlsx(
    [
      ['Oversight figures'],
      ['Partnerships', report.csps.map((c) => c.name).join(', ')],
      ['As at', { date: report.asAt }],
      ['Period from', { date: report.from }],
      ['Period to', { date: report.to }],
      ['Reviews', report.reviews],
    ],
    report.tables,
  );
}

/**
 * A workbook: an "About" sheet (label and value rows) then a sheet per table, its headings in
 * bold, dates as dates shown "4 December 2026", text a spreadsheet would run as a formula
 * escaped. Shared by the oversight figures and the recommendations register.
 */
export async function tablesXlsx(about: Cell[][], tables: FigureTable[]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = 'DHR engine';
  const sheet0 = book.addWorksheet('About');
  const value = (c: Cell) => (c !== null && typeof c === 'object' ? new Date(`${c.date}T00:00:00Z`) : typeof c === 'string' ? safe(c) : c);
  for (const row of about) {
    const added = sheet0.addRow(row.map(value));
    row.forEach((c, i) => {
      if (c !== null && typeof c === 'object') added.getCell(i + 1).numFmt = 'd mmmm yyyy';
      else if (typeof c === 'number') added.getCell(i + 1).numFmt = '0';
    });
  }
  sheet0.getColumn(1).width = 16;
  sheet0.getColumn(2).width = 40;
  for (const table of tables) {
    const sheet = book.addWorksheet(table.title.slice(0, 31));
    sheet.addRow(table.headings).font = { bold: true };
    for (const row of table.rows) {
      const added = sheet.addRow(row.map(value));
      row.forEach((c, i) => {
        if (c !== null && typeof c === 'object') added.getCell(i + 1).numFmt = 'd mmmm yyyy';
      });
    }
    table.headings.forEach((h, i) => (sheet.getColumn(i + 1).width = Math.max(12, Math.min(40, h.length + 4))));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
