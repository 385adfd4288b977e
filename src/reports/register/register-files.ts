import type { Cell, FigureTable } from '../oversight/oversight-figures';
import { tableCsv, tablesXlsx } from '../oversight/oversight-files';
import type { Register, RegisterRow } from './register.service';

export const REGISTER_HEADINGS = [
  'Partnership',
  'Review',
  'Recommendation',
  'Recommendation text',
  'Level',
  'Addressee',
  'Addressee kind',
  'Theme',
  'Action',
  'Owner',
  'Target date',
  'Completed on',
  'Status',
  'Relationship (review)',
  'Vulnerabilities (review)',
  'Themes (review)',
  'Family involvement (review)',
  'Review coded with taxonomy version',
];

const LEVELS: Record<string, string> = { single_agency: 'Single agency', multi_agency: 'Multi-agency', national: 'National' };
const KINDS: Record<string, string> = { agency: 'A local agency', partnership: 'The partnership', government_department: 'A government department' };
export const STATUS_TEXT: Record<string, string> = { open: 'Open', overdue: 'Overdue', complete: 'Complete' };

/** One register row as table cells (dates as dates). */
export function registerCells(row: RegisterRow): Cell[] {
  return [
    row.csp,
    row.reference,
    row.number,
    row.recommendation,
    LEVELS[row.level] ?? row.level,
    row.addressee,
    row.addresseeKind ? (KINDS[row.addresseeKind] ?? row.addresseeKind) : null,
    row.themeLabel,
    row.action,
    row.owner,
    row.targetDate ? { date: row.targetDate } : null,
    row.completedOn ? { date: row.completedOn } : null,
    STATUS_TEXT[row.status],
    row.coding?.relationship ?? null,
    row.coding ? row.coding.vulnerabilities.join('; ') || null : null,
    row.coding ? row.coding.themes.join('; ') || null : null,
    row.coding ? row.coding.familyInvolvement.join('; ') || null : null,
    row.coding?.taxonomyVersion ?? null,
  ];
}

export function registerTable(register: Register): FigureTable {
  return { key: 'register', title: 'Recommendations register', headings: REGISTER_HEADINGS, rows: register.rows.map(registerCells) };
}

/** The register as CSV (RFC 4180, dates as YYYY-MM-DD), for the Home Office and the Commissioner. */
export function registerCsv(register: Register): string {
  return tableCsv(registerTable(register));
}

/** The register as XLSX: what it is (partnerships, date, filters, taxonomy version), then the rows. */
export function registerXlsx(register: Register): Promise<Buffer> {
  const about: Cell[][] = [
    ['Recommendations register'],
    ['Partnerships', register.csps.map((c) => c.name).join(', ')],
    ['As at', { date: register.asAt }],
    ['Filters', describeFilters(register) || 'none'],
    ['Taxonomy version', register.taxonomyVersion],
    ['Rows', register.total],
  ];
  return tablesXlsx(about, [registerTable(register)]);
}

/** The filters in words ("theme training; status overdue"), empty when there are none. */
export function describeFilters(register: Register): string {
  const f = register.filters;
  return [
    f.theme ? `theme ${f.theme}` : '',
    f.addressee ? `addressee ${f.addressee}` : '',
    f.status ? `status ${f.status}` : '',
    f.overdue !== undefined ? (f.overdue ? 'overdue only' : 'not overdue') : '',
    f.relationship ? `review relationship ${f.relationship}` : '',
    f.vulnerability ? `review vulnerability ${f.vulnerability}` : '',
    f.reviewTheme ? `review theme ${f.reviewTheme}` : '',
    f.q ? `search “${f.q}”` : '',
  ]
    .filter(Boolean)
    .join('; ');
}
