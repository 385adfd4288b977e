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
  const book = new ExcelJS.Workbook();
  book.creator = 'DHR engine';
  const about = book.addWorksheet('About');
  about.addRows([
    ['Oversight figures'],
    ['Partnerships', report.csps.map((c) => c.name).join(', ')],
    ['As at', new Date(`${report.asAt}T00:00:00Z`)],
    ['Period from', new Date(`${report.from}T00:00:00Z`)],
    ['Period to', new Date(`${report.to}T00:00:00Z`)],
    ['Reviews', report.reviews],
  ]);
  about.getColumn(2).numFmt = 'd mmmm yyyy';
  about.getCell('B6').numFmt = '0';
  about.getColumn(1).width = 16;
  about.getColumn(2).width = 40;
  for (const table of report.tables) {
    const sheet = book.addWorksheet(table.title.slice(0, 31));
    sheet.addRow(table.headings).font = { bold: true };
    for (const row of table.rows) {
      const added = sheet.addRow(row.map((c) => (c !== null && typeof c === 'object' ? new Date(`${c.date}T00:00:00Z`) : typeof c === 'string' ? safe(c) : c)));
      row.forEach((c, i) => {
        if (c !== null && typeof c === 'object') added.getCell(i + 1).numFmt = 'd mmmm yyyy';
      });
    }
    table.headings.forEach((h, i) => (sheet.getColumn(i + 1).width = Math.max(12, Math.min(40, h.length + 4))));
  }
  return Buffer.from(await book.xlsx.writeBuffer());
}
