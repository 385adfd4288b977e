import { DateTime } from 'luxon';

/**
 * A meeting's time as people type it and read it: the time of day in a text box ("10:30am",
 * "14:00"), and the instant the meetings service stores, fixed in UK time (Europe/London, so
 * summer time is BST). Reading input only: whether the meeting may be at that time is the
 * service's to decide.
 */

const LONDON = 'Europe/London';

export interface TimeOfDay {
  hour: number;
  minute: number;
}

/** "10:30am", "10am", "10.30 pm", "14:00", "9:05" → hour and minute; undefined when empty. */
export function readTime(raw: string | undefined): { value?: TimeOfDay; problem?: string } {
  const text = (raw ?? '').trim().toLowerCase().replace(/\s+/g, '');
  if (text === '') return {};
  const match = /^(\d{1,2})(?:[:.](\d{2}))?(am|pm)?$/.exec(text);
  const problem = 'must be a real time, for example 10:30am or 14:00';
  if (!match) return { problem };
  let hour = Number(match[1]);
  const minute = match[2] === undefined ? 0 : Number(match[2]);
  const half = match[3];
  if (minute > 59) return { problem };
  if (half) {
    if (hour < 1 || hour > 12) return { problem };
    hour = (hour % 12) + (half === 'pm' ? 12 : 0);
  } else {
    // Without am or pm, a time is on the 24-hour clock and needs its minutes ("14:00", not "14").
    if (match[2] === undefined || hour > 23) return { problem };
  }
  return { value: { hour, minute } };
}

/** A calendar date (YYYY-MM-DD) and a time of day in London → the instant with its offset. */
export function londonInstant(date: string, time: TimeOfDay): string | null {
  const [year, month, day] = date.split('-').map(Number);
  const at = DateTime.fromObject({ year, month, day, hour: time.hour, minute: time.minute }, { zone: LONDON });
  return at.isValid ? at.toISO({ suppressMilliseconds: true }) : null;
}

/** An instant → its London date (YYYY-MM-DD) and time as shown in the form ("10:30am"). */
export function londonParts(instant: string | Date): { date: string; time: string } {
  const at = (instant instanceof Date ? DateTime.fromJSDate(instant) : DateTime.fromISO(instant)).setZone(LONDON);
  const hour12 = at.hour % 12 === 0 ? 12 : at.hour % 12;
  const time = `${hour12}${at.minute === 0 ? '' : `:${String(at.minute).padStart(2, '0')}`}${at.hour < 12 ? 'am' : 'pm'}`;
  return { date: at.toISODate() ?? '', time };
}
