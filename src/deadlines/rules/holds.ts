import { CivilDate, DateRuleError, Instant, addDays, addLondonDays, civilDateOf, daysBetween, isCivilDate } from './dates';

/**
 * Holds. A review put on hold pauses its task clocks (IMRs, meetings, actions); on resume they
 * shift by the time held, in whole calendar days (London dates). Statutory clocks keep running,
 * and the review reports elapsed time both gross and net of holds.
 */

export interface Hold {
  /** The day (or instant) the hold started. */
  from: CivilDate | Instant;
  /** The day (or instant) it ended; null while it is still on. */
  to: CivilDate | Instant | null;
}

/**
 * Moves a due date later by `heldDays` calendar days. A civil date gives a civil date; an
 * instant gives the instant with the same Europe/London wall-clock time `heldDays` later
 * (so a 17:00 deadline stays at 17:00 across a BST change).
 */
export function shiftForHold(dueDate: CivilDate, heldDays: number): CivilDate;
export function shiftForHold(dueDate: Instant, heldDays: number): Instant;
export function shiftForHold(dueDate: CivilDate | Instant, heldDays: number): CivilDate | Instant {
  if (!Number.isInteger(heldDays) || heldDays < 0) {
    throw new DateRuleError(`heldDays must be a whole number of days, 0 or more, got ${heldDays}`);
  }
  return isCivilDate(dueDate) ? addDays(dueDate, heldDays) : addLondonDays(dueDate, heldDays);
}

/** Calendar days a hold lasted (London dates; a hold started and ended on the same day is 0). */
export function heldDays(hold: { from: CivilDate | Instant; to: CivilDate | Instant }): number {
  const from = civilDateOf(hold.from, 'hold.from');
  const to = civilDateOf(hold.to, 'hold.to');
  const days = daysBetween(from, to);
  if (days < 0) throw new DateRuleError(`hold ends (${to}) before it starts (${from})`);
  return days;
}

export interface Elapsed {
  /** Calendar days from start to now. */
  grossDays: number;
  /** grossDays less the days on hold between start and now (overlapping holds counted once). */
  netDays: number;
  /** Days on hold between start and now. */
  heldDays: number;
}

/**
 * Elapsed calendar days from `start` to `now` (both as London dates), gross and net of holds.
 * A hold covers the days [from, to): a hold from 1 March to 8 March is 7 days. An open hold
 * (to: null) runs to `now`. Holds are clipped to [start, now] and overlaps are merged.
 */
export function elapsed(input: {
  start: CivilDate | Instant | Date;
  now: CivilDate | Instant | Date;
  holds?: readonly Hold[];
}): Elapsed {
  const start = civilDateOf(input.start, 'start');
  const now = civilDateOf(input.now, 'now');
  const grossDays = daysBetween(start, now);
  if (grossDays < 0) throw new DateRuleError(`now (${now}) is before start (${start})`);

  const spans = (input.holds ?? [])
    .map((hold, index) => {
      const from = civilDateOf(hold.from, `holds[${index}].from`);
      // An open hold runs to now; one that has not started by now covers nothing.
      const to = hold.to === null ? (now < from ? from : now) : civilDateOf(hold.to, `holds[${index}].to`);
      if (to < from) throw new DateRuleError(`holds[${index}] ends (${to}) before it starts (${from})`);
      return { from: from < start ? start : from, to: to > now ? now : to };
    })
    .filter((span) => span.from < span.to)
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));

  let held = 0;
  let current: { from: CivilDate; to: CivilDate } | null = null;
  for (const span of spans) {
    if (current && span.from <= current.to) {
      if (span.to > current.to) current.to = span.to;
      continue;
    }
    if (current) held += daysBetween(current.from, current.to);
    current = { ...span };
  }
  if (current) held += daysBetween(current.from, current.to);

  return { grossDays, netDays: grossDays - held, heldDays: held };
}
