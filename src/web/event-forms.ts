import { DECISION_OUTCOMES, HOLD_REASONS, QA_OUTCOMES } from '../reviews/lifecycle';
import type { ReviewEventType } from '../reviews/lifecycle/events';
import { FieldSpec, FormBody, readForm } from './forms';
import { DECISION_OUTCOME_LABELS, HOLD_REASON_LABELS, optionsOf, QA_OUTCOME_LABELS } from './labels';

/**
 * The form of each lifecycle event: the fields its schema (REVIEW_EVENT_SCHEMAS) takes, with
 * labels. The lifecycle service validates what is sent and decides whether the event is
 * allowed; a spec checks these fields are exactly the schema's.
 */
export const EVENT_FORMS: Readonly<Record<ReviewEventType, readonly FieldSpec[]>> = {
  DECIDE: [
    { name: 'outcome', label: 'Decision', kind: 'radios', options: optionsOf(DECISION_OUTCOMES, DECISION_OUTCOME_LABELS) },
    { name: 'rationale', label: 'Reasons for the decision', kind: 'textarea', hint: 'Whether the criteria for a review are met, and why.' },
    { name: 'decidedAt', label: 'Date of the decision', kind: 'date', hint: 'For example, 28 1 2026' },
    {
      name: 'jointWith',
      label: 'Other review (joint reviews only)',
      kind: 'text',
      optional: true,
      hint: 'The name or reference of the Safeguarding Adults Review or other statutory review.',
    },
  ],
  NOTIFY_HOME_OFFICE: [{ name: 'sentAt', label: 'Date the Home Office was told', kind: 'date' }],
  DIRECT_REVIEW: [
    { name: 'directedAt', label: 'Date of the direction', kind: 'date' },
    { name: 'note', label: 'Note', kind: 'textarea', optional: true },
  ],
  AGREE_TERMS_OF_REFERENCE: [
    { name: 'agreedAt', label: 'Date the terms of reference were agreed', kind: 'date' },
    { name: 'scopeStart', label: 'Start of the period the review covers', kind: 'date', optional: true },
    { name: 'scopeEnd', label: 'End of the period the review covers', kind: 'date', optional: true },
  ],
  BEGIN_DRAFTING: [{ name: 'occurredAt', label: 'Date drafting began', kind: 'date', optional: true, hint: 'Leave empty for today.' }],
  AGREE_REPORT: [{ name: 'occurredAt', label: 'Date the panel agreed the report', kind: 'date', optional: true, hint: 'Leave empty for today.' }],
  RAG_APPROVE: [
    { name: 'approvedAt', label: 'Date of approval', kind: 'date', optional: true, hint: 'Leave empty for today.' },
    { name: 'comments', label: 'Comments', kind: 'textarea', optional: true },
  ],
  RAG_RETURN: [
    { name: 'comments', label: 'Comments for the chair', kind: 'textarea', hint: 'What must change before the board approves the report.' },
    { name: 'occurredAt', label: 'Date the board returned the report', kind: 'date', optional: true, hint: 'Leave empty for today.' },
  ],
  SUBMIT_TO_HOME_OFFICE: [{ name: 'submittedAt', label: 'Date submitted', kind: 'date' }],
  RECORD_QA_OUTCOME: [
    { name: 'outcome', label: 'Outcome', kind: 'radios', options: optionsOf(QA_OUTCOMES, QA_OUTCOME_LABELS) },
    { name: 'letterDate', label: 'Date of the Home Office letter', kind: 'date' },
    { name: 'notes', label: 'Notes', kind: 'textarea', optional: true },
  ],
  PUBLISH: [
    { name: 'publishedAt', label: 'Date published', kind: 'date' },
    { name: 'url', label: 'Web address of the published report', kind: 'url', classes: 'govuk-!-width-full' },
  ],
  CLOSE: [{ name: 'occurredAt', label: 'Date the review closed', kind: 'date', optional: true, hint: 'Leave empty for today.' }],
  PLACE_ON_HOLD: [
    { name: 'reason', label: 'Reason for the hold', kind: 'radios', options: optionsOf(HOLD_REASONS, HOLD_REASON_LABELS) },
    { name: 'detail', label: 'Details', kind: 'textarea' },
    { name: 'occurredAt', label: 'Date the hold began', kind: 'date', optional: true, hint: 'Leave empty for today.' },
    { name: 'expectedEnd', label: 'Expected end of the hold', kind: 'date', optional: true, hint: 'May be past, for a hold recorded after the fact.' },
  ],
  RESUME: [
    { name: 'note', label: 'Note', kind: 'textarea', optional: true },
    { name: 'occurredAt', label: 'Date the review resumed', kind: 'date', optional: true, hint: 'Leave empty for today.' },
  ],
  WITHDRAW: [
    { name: 'reason', label: 'Reason for withdrawing the review', kind: 'textarea' },
    { name: 'occurredAt', label: 'Date the review was withdrawn', kind: 'date', optional: true, hint: 'Leave empty for today.' },
  ],
  RECORD_HOME_OFFICE_AGREEMENT: [
    { name: 'receivedAt', label: "Date of the Home Office's reply", kind: 'date' },
    { name: 'note', label: 'Note', kind: 'textarea', optional: true },
  ],
  REOPEN: [
    { name: 'reason', label: 'Reason for reopening the review', kind: 'textarea', hint: 'The new information, and where it came from.' },
    { name: 'occurredAt', label: 'Date the review was reopened', kind: 'date', optional: true, hint: 'Leave empty for today.' },
  ],
};

/** Events shown folded away (they stop the review's work rather than move it on). */
export const SECONDARY_EVENTS: readonly ReviewEventType[] = ['PLACE_ON_HOLD', 'WITHDRAW', 'REOPEN'];

/**
 * Steps that cannot be undone: the page shows what was entered and what will happen, and only
 * the confirmation (a POST with `confirm=yes`) performs the step. The API is unchanged.
 */
export interface Confirmation {
  heading: string;
  /** What will happen, and why it matters: shown above the answers. */
  consequences: readonly string[];
  button: string;
}

export const CONFIRMED_EVENTS: Readonly<Partial<Record<ReviewEventType, Confirmation>>> = {
  AGREE_REPORT: {
    heading: 'Check before you record that the panel agreed the report',
    consequences: [
      "The review moves to sign-off by the CSP's board, and the board's sign-off clock starts.",
      'The report cannot be agreed again unless the board returns it.',
    ],
    button: 'Confirm that the panel agreed the report',
  },
  RAG_APPROVE: {
    heading: 'Check before you approve the report',
    consequences: [
      "The board's approval is recorded in the review's history, and the report can then be submitted to the Home Office.",
      'An approval cannot be taken back: if the report must change, return it to the chair instead.',
    ],
    button: 'Confirm the approval',
  },
  PUBLISH: {
    heading: 'Check before you record the publication',
    consequences: [
      'The review moves on to monitoring its action plan, and publication is recorded in its history.',
      'The review cannot go back to awaiting publication.',
    ],
    button: 'Confirm the publication',
  },
  CLOSE: {
    heading: 'Check before you close the review',
    consequences: ['Nothing more can be recorded on a closed review.', 'A closed review can be reopened only with new information that calls for it.'],
    button: 'Confirm: close the review',
  },
};

/** The answers of a form, as a GOV.UK summary list's rows: what will be recorded. */
export function answerRows(
  fields: readonly FieldSpec[],
  body: FormBody,
  formatDate: (iso: string) => string,
  today: string,
): Array<{ key: { text: string }; value: { text: string } }> {
  const { input } = readForm(fields, body);
  return fields.map((field) => {
    const value = input[field.name];
    let text: string;
    if (value === undefined || value === '') text = /Leave empty for today/.test(field.hint ?? '') ? `Today, ${formatDate(today)}` : 'Not given';
    else if (field.kind === 'date') text = formatDate(String(value));
    else if (field.options) text = field.options.find((o) => o.value === value)?.text ?? String(value);
    else text = String(value);
    return { key: { text: field.label }, value: { text } };
  });
}

/** The fields a confirmation page posts again: as submitted, without the CSRF token (the page has its own) or an earlier confirm. */
export function confirmHidden(body: FormBody): Record<string, string> {
  return Object.fromEntries(Object.entries(body).filter(([name]) => name !== '_csrf' && name !== 'confirm'));
}
