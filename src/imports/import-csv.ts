import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { parse } from 'csv-parse/sync';
import { IMPORT_FORMAT } from './import-format';

/**
 * The headline fields a partnership keeps in its spreadsheet, one review per row. They become
 * a dhr-import/1 file and go through the same rules: a row can bring a review as far as its
 * headline facts allow (notification, decision, the Home Office told and its reply, the chair,
 * a hold, a withdrawal or a closure after a "no"). A review further on (terms of reference,
 * IMRs, the report) needs its panel, IMRs and drafts, which only the JSON format carries.
 */
export const CSV_COLUMNS = [
  'key',
  'csp',
  'date_of_death',
  'notified_on',
  'police_force',
  'police_reference',
  'circumstances',
  'decision',
  'decided_on',
  'decision_rationale',
  'home_office_told_on',
  'home_office_agreed_on',
  'chair_name',
  'chair_organisation',
  'chair_appointed_on',
  'hold_reason',
  'hold_detail',
  'hold_started_on',
  'hold_ended_on',
  'withdrawn_on',
  'withdrawal_reason',
  'closed_on',
] as const;
type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string>>;

/** Unknown columns are refused (a typo would otherwise drop a date silently). */
export function csvToImport(text: string): unknown {
  const rows = parse(text, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Array<Record<string, string>>;
  const header = rows.length > 0 ? Object.keys(rows[0]!) : [];
  const unknown = header.filter((c) => !(CSV_COLUMNS as readonly string[]).includes(c));
  if (unknown.length > 0) throw new Error(`unknown column(s): ${unknown.join(', ')} (the columns are: ${CSV_COLUMNS.join(', ')})`);
  return { format: IMPORT_FORMAT, reviews: rows.map((raw) => rowToReview(raw as Row)) };
}

const blank = (v: string | undefined): v is undefined => v === undefined || v === '';

function rowToReview(row: Row) {
  const steps: Array<Record<string, unknown>> = [];
  const event = (fields: Record<string, unknown>) => steps.push({ step: 'event', ...fields });
  if (!blank(row.decision) || !blank(row.decided_on)) {
    event({ type: 'DECIDE', outcome: row.decision, decidedAt: row.decided_on, rationale: blank(row.decision_rationale) ? 'Recorded before this service (imported from the spreadsheet).' : row.decision_rationale });
  }
  if (!blank(row.home_office_told_on)) event({ type: 'NOTIFY_HOME_OFFICE', sentAt: row.home_office_told_on });
  if (!blank(row.home_office_agreed_on)) event({ type: 'RECORD_HOME_OFFICE_AGREEMENT', receivedAt: row.home_office_agreed_on });
  if (!blank(row.chair_name) || !blank(row.chair_appointed_on)) {
    steps.push({ step: 'appointment', role: 'chair', name: row.chair_name, organisation: blank(row.chair_organisation) ? 'Independent' : row.chair_organisation, appointedOn: row.chair_appointed_on });
  }
  if (!blank(row.hold_started_on) || !blank(row.hold_reason)) {
    event({ type: 'PLACE_ON_HOLD', reason: row.hold_reason, detail: blank(row.hold_detail) ? 'Recorded before this service.' : row.hold_detail, occurredAt: row.hold_started_on });
    if (!blank(row.hold_ended_on)) event({ type: 'RESUME', occurredAt: row.hold_ended_on });
  }
  if (!blank(row.withdrawn_on) || !blank(row.withdrawal_reason)) event({ type: 'WITHDRAW', reason: row.withdrawal_reason, occurredAt: row.withdrawn_on });
  if (!blank(row.closed_on)) event({ type: 'CLOSE', occurredAt: row.closed_on });
  return {
    key: row.key || row.police_reference || 'row',
    csp: row.csp,
    notification: {
      dateOfDeath: row.date_of_death,
      notifiedOn: row.notified_on,
      policeForce: row.police_force,
      policeReference: row.police_reference,
      circumstances: row.circumstances,
    },
    steps,
  };
}

/** A file to import: CSV by its extension, else JSON. */
export async function readImportFile(path: string): Promise<unknown> {
  const text = await readFile(path, 'utf8');
  if (extname(path).toLowerCase() === '.csv') return csvToImport(text);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new Error(`is not JSON: ${(error as Error).message}`);
  }
}
