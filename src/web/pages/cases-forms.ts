import type { DataSource } from 'typeorm';
import { STAGES } from '../../reviews/lifecycle';
import type { FieldSpec } from '../forms';
import { optionsOf, STAGE_LABELS } from '../labels';

/** The reviews' pages: the notification's and the list's fields, and what the review's page reads besides the review. */

export const GUIDANCE_LABELS = { '2016': 'Statutory guidance 2016 (in force)', '2024': 'Draft guidance 2024 (12-month target)' };

/** The police notification, as POST /reviews takes it. */
export function notificationFields(csps: ReadonlyArray<{ id: string; name: string }>): FieldSpec[] {
  return [
    { name: 'cspId', label: 'Community Safety Partnership', errorLabel: 'the Community Safety Partnership', kind: 'select', options: csps.map((c) => ({ value: c.id, text: c.name })) },
    { name: 'dateOfDeath', label: 'Date of death', kind: 'date', hint: 'For example, 3 1 2026' },
    { name: 'notifiedOn', label: 'Date the police notified the CSP', kind: 'date', hint: 'The date on the police notification.' },
    { name: 'policeForce', label: 'Police force', kind: 'text', classes: 'govuk-!-width-two-thirds' },
    { name: 'policeReference', label: 'Police reference', kind: 'text', classes: 'govuk-input--width-20' },
    {
      name: 'circumstances',
      label: 'Circumstances',
      kind: 'textarea',
      hint: 'What the police told you. Use pseudonyms, not real names: people are added to the case file with their pseudonyms.',
    },
    { name: 'guidanceVersion', label: 'Guidance the review follows', kind: 'radios', optional: true, options: optionsOf(['2016', '2024'], GUIDANCE_LABELS) },
  ];
}

export const FILTER_FIELDS: FieldSpec[] = [
  { name: 'q', label: 'Search', kind: 'text', hint: 'Reference, police reference, pseudonym, chair or agency' },
  { name: 'status', label: 'Stage', kind: 'select', emptyOption: 'All stages', options: optionsOf(STAGES, STAGE_LABELS) },
  { name: 'cspId', label: 'CSP', kind: 'select', emptyOption: 'All CSPs' },
  {
    name: 'onHold',
    label: 'On hold',
    kind: 'select',
    emptyOption: 'Either',
    options: [
      { value: 'true', text: 'On hold' },
      { value: 'false', text: 'Not on hold' },
    ],
  },
];

/** The review's chair by name: the open chair appointment, else a member with the chair's role. */
export async function chairOf(dataSource: DataSource, reviewId: string): Promise<string | null> {
  const [row] = (await dataSource.query(
    `SELECT name FROM (
       SELECT a.name, 1 AS rank FROM appointments a WHERE a.review_id = $1 AND a.role = 'chair' AND a.ended_on IS NULL
       UNION ALL
       SELECT u.display_name, 2 FROM review_members m JOIN users u ON u.id = m.user_id
        WHERE m.review_id = $1 AND m.role = 'chair' AND m.ended_at IS NULL) c
     ORDER BY rank LIMIT 1`,
    [reviewId],
  )) as Array<{ name: string }>;
  return row?.name ?? null;
}

/**
 * Reminder emails SMTP would not take, for those who chase them (the CSP lead, the chair):
 * still being retried while the reminder is owed, or given up once it no longer was.
 */
export async function undeliveredOf(dataSource: DataSource, reviewId: string) {
  return (await dataSource.query(
    `SELECT COALESCE(d.title, 'Panel meeting invitation') AS what, n.recipient, n.attempts, n.last_error AS "lastError",
            (d.status = 'open' AND d.next_reminder_slot = n.slot) AS "retrying"
       FROM notifications n LEFT JOIN deadlines d ON d.id = n.deadline_id
      WHERE n.review_id = $1 AND n.status = 'failed'
      ORDER BY n.created_at DESC LIMIT 50`,
    [reviewId],
  )) as Array<{ what: string; recipient: string; attempts: number; lastError: string | null; retrying: boolean | null }>;
}
