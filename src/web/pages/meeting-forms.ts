import type { MeetingAttendee } from '../../casefile/entities';
import { ATTENDANCE_STATUSES } from '../../casefile/entities';
import type { ImrsService } from '../../casefile/imrs/imrs.service';
import type { MeetingsService } from '../../casefile/meetings/meetings.service';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { FieldSpec, FieldView, FormBody, FormProblem, readForm } from '../forms';
import { ATTENDANCE_STATUS_LABELS, optionsOf } from '../labels';
import { londonInstant, readTime } from '../meeting-times';
import { ukDateTime } from '../web-views';
import type { FormContext } from './form-page';
import { recordedAttendance, SPARE_GUEST_ROWS, TeamPerson } from './meeting-attendance';

/** A panel meeting's forms, described for the page layer (meetings.controller.ts): their fields, how they read, their words. */

export type MeetingView = Awaited<ReturnType<MeetingsService['get']>>;
type Agencies = ReadonlyArray<{ id: string; name: string }>;

/** When and where: the schedule and reschedule forms. The time of day is its own box. */
export const MEETING_FIELDS: FieldSpec[] = [
  { name: 'startsAt', label: 'Date of the meeting', kind: 'date', hint: 'For example, 20 7 2026' },
  { name: 'startsAtTime', label: 'Time', errorLabel: 'the time of the meeting', kind: 'text', hint: 'UK time. For example, 10:30am or 14:00', classes: 'govuk-input--width-5' },
  {
    name: 'location',
    label: 'Location',
    kind: 'text',
    optional: true,
    hint: 'Where the panel meets in person. Give a location, an online meeting link, or both.',
    classes: 'govuk-!-width-two-thirds',
  },
  { name: 'onlineLink', label: 'Online meeting link', kind: 'url', optional: true, hint: 'A link starting https://', classes: 'govuk-!-width-full' },
  { name: 'agenda', label: 'Agenda', kind: 'textarea', optional: true },
  { name: 'papersCirculatedOn', label: 'Date the papers were circulated', kind: 'date', optional: true, hint: 'Leave empty until they have been sent.' },
];

export const HELD_FIELDS: FieldSpec[] = [
  { name: 'minutes', label: 'Minutes', kind: 'textarea', optional: true, hint: 'Use pseudonyms, not real names.' },
  { name: 'decisions', label: 'Decisions', kind: 'textarea', optional: true },
];

export const CANCEL_FIELDS: FieldSpec[] = [
  { name: 'reason', label: 'Reason for cancelling', errorLabel: 'the reason for cancelling', kind: 'textarea', hint: 'Everyone invited is sent a cancellation.' },
];

/** The IMRs considered: checkboxes (the form's own markup); this spec names their errors. */
export const IMR_FIELD: FieldSpec = { name: 'imrIds', label: 'IMRs considered', kind: 'text', optional: true };


export function attendanceFields(index: number, agencies: Agencies): FieldSpec[] {
  const n = index + 1;
  return [
    { name: `attendance.${index}.name`, label: 'Name', errorLabel: `the name of guest ${n}`, kind: 'text', optional: true, classes: 'govuk-!-width-two-thirds' },
    {
      name: `attendance.${index}.agencyId`,
      label: 'Agency',
      kind: 'select',
      optional: true,
      emptyOption: 'No agency (the chair, a guest)',
      options: agencies.map((a) => ({ value: a.id, text: a.name })),
    },
    {
      name: `attendance.${index}.status`,
      label: 'Attended or sent apologies',
      errorLabel: `whether guest ${n} attended or sent apologies`,
      kind: 'radios',
      options: optionsOf(ATTENDANCE_STATUSES, ATTENDANCE_STATUS_LABELS),
    },
  ];
}

/**
 * Attendance rows from the form: a row with nothing in its name or status is left out; the
 * others go to the service as they are (a row without a name is the schema's to refuse). `rows`
 * maps the index sent to the service back to the form's row, to put its problems on the row.
 */
export function readAttendance(body: FormBody, count: number): { attendance: Array<Record<string, string>>; rows: number[] } {
  const attendance: Array<Record<string, string>> = [];
  const rows: number[] = [];
  for (let i = 0; i < count; i += 1) {
    const name = (body[`attendance.${i}.name`] ?? '').trim();
    const status = body[`attendance.${i}.status`] ?? '';
    const agencyId = body[`attendance.${i}.agencyId`] ?? '';
    if (name === '' && status === '') continue;
    attendance.push({ ...(name ? { name } : {}), ...(agencyId ? { agencyId } : {}), ...(status ? { status } : {}) });
    rows.push(i);
  }
  return { attendance, rows };
}

/** The form fields of stored attendance (the rows as recorded, then spare ones). */
export function attendanceValues(attendance: readonly MeetingAttendee[]): Record<string, string> {
  const values: Record<string, string> = {};
  attendance.forEach((a, i) => {
    values[`attendance.${i}.name`] = a.name;
    values[`attendance.${i}.agencyId`] = a.agencyId ?? '';
    values[`attendance.${i}.status`] = a.status;
  });
  return values;
}

/** Puts the service's problems on the form's fields: attendance rows by form row, IMRs on the checkboxes, and its words. */
export function formProblems(problems: readonly FormProblem[], rows: readonly number[] = []): FormProblem[] {
  return problems.map((p) => {
    const attendance = /^attendance\.(\d+)\.(\w+)$/.exec(p.field);
    if (attendance) {
      const row = rows[Number(attendance[1])] ?? Number(attendance[1]);
      // Someone ticked from the team (the only refusal of such a tick: attended a meeting not yet started).
      if (row < 0) return { field: 'attended', message: p.message };
      const required = /^(required|is required)$/i.test(p.message);
      return { field: `attendance.${row}.${attendance[2]}`, message: required ? 'is required' : `for guest ${row + 1}: ${p.message}` };
    }
    if (/^imrIds(\.\d+)?$/.test(p.field)) return { field: 'imrIds', message: p.message };
    if (p.field === 'location' && /location or an onlineLink/.test(p.message)) return { field: 'location', message: 'is required' };
    return p;
  });
}

/** The location field's missing-value words (it may be given instead of a link). */
const LOCATION_ERROR_LABEL = 'a location or an online meeting link';

export function meetingFields(): FieldSpec[] {
  return MEETING_FIELDS.map((f) => (f.name === 'location' ? { ...f, errorLabel: LOCATION_ERROR_LABEL } : f));
}

/**
 * Reads the when-and-where fields: the date boxes and the time box become the instant the
 * service takes (in UK time); an unreadable time is the form's own problem.
 */
export function readMeeting(body: FormBody): { input: Record<string, unknown>; problems: FormProblem[] } {
  const { input, problems } = readForm(MEETING_FIELDS, body);
  delete input.startsAtTime;
  const time = readTime(body.startsAtTime);
  if (time.problem) problems.push({ field: 'startsAtTime', message: time.problem });
  else if (!time.value) problems.push({ field: 'startsAtTime', message: 'is required' });
  const date = input.startsAt;
  if (typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date)) {
    // With the time unreadable, the date alone is still checked (midnight), so every problem shows at once.
    input.startsAt = londonInstant(date, time.value ?? { hour: 0, minute: 0 }) ?? date;
  }
  return { input, problems };
}

export function stateInWords(meeting: MeetingView): string {
  if (meeting.status === 'held') return `held on ${ukDateTime(meeting.startsAt)}`;
  if (meeting.status === 'cancelled') return `cancelled (${meeting.cancellationReason ?? 'no reason recorded'})`;
  return `scheduled for ${ukDateTime(meeting.startsAt)}`;
}

export type Which = 'reschedule' | 'attendance' | 'held' | 'cancel';

export const FORM_WORDS: Record<Which, { title: string; button: string; done: string; intro?: string; fields: () => FieldSpec[] }> = {
  reschedule: {
    title: 'Reschedule the meeting',
    button: 'Save the changes',
    done: 'PANEL_MEETING_RESCHEDULED',
    intro: 'Everyone invited is sent the updated invitation when the time or place changes.',
    fields: meetingFields,
  },
  attendance: { title: 'Record attendance and apologies', button: 'Save attendance', done: 'ATTENDANCE_RECORDED', intro: 'Who came to the meeting, and who sent apologies.', fields: () => [] },
  held: {
    title: 'Record that the meeting was held',
    button: 'Record the meeting as held',
    done: 'PANEL_MEETING_HELD',
    intro: 'The minutes, decisions, the IMRs the panel considered and who attended.',
    fields: () => HELD_FIELDS,
  },
  cancel: { title: 'Cancel the meeting', button: 'Cancel the meeting', done: 'PANEL_MEETING_CANCELLED', fields: () => CANCEL_FIELDS },
};

export const NOTICES = { ATTENDANCE_RECORDED: 'Attendance recorded' };

/** What a meeting's form is about: the review, the meeting, and for attendance the team and the guests recorded. */
export interface MeetingSubject {
  review: ReviewView;
  meeting: MeetingView;
  agencies: Agencies;
  people: TeamPerson[];
  recorded: ReturnType<typeof recordedAttendance>;
  imrs: Awaited<ReturnType<ImrsService['list']>>;
}

/** How many attendance rows the form had (sent as a hidden field; bounded). */
export function rowCount(body: FormBody | null): number {
  const n = /^\d{1,3}$/.test(body?.attendanceRows ?? '') ? Number(body?.attendanceRows) : 0;
  return Math.min(n, 100);
}

/** The guest rows a form shows: as many as it was sent with, and at least those recorded and a few spare. */
export function guestRows(ctx: FormContext, subject?: MeetingSubject): number {
  return Math.max(rowCount(ctx.body), (subject?.recorded.guests.length ?? 0) + SPARE_GUEST_ROWS);
}

/** The attendance checkboxes: everyone on the team, ticked as submitted or as recorded. */
export function teamChoices(people: readonly TeamPerson[], ticks: Record<'attended' | 'apologies', readonly string[]>, byName: ReadonlyMap<string, FieldView>) {
  const group = (name: 'attended' | 'apologies') => ({
    error: byName.get(name)?.error ?? null,
    items: people.map((p) => ({ value: p.key, text: p.name, hint: { text: p.roles.join('; ') }, checked: ticks[name].includes(p.key) })),
  });
  return { attended: group('attended'), apologies: group('apologies') };
}

