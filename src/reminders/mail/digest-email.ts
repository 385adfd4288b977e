import nunjucks from 'nunjucks';
import { daysBetween, londonDateOf } from '../../deadlines/rules';
import {
  absoluteLink,
  KIND_LABELS,
  londonLongDate,
  londonShortDate,
  londonTime,
  oneLine,
  parseInstant,
  parseSlot,
  REMINDER_KINDS,
  ReminderKind,
  RenderedEmail,
} from './reminder-email';
import { DIGEST_TEMPLATES } from './templates/digest-templates';

/** One deadline in a digest, with the reminders for it that were held for the digest. */
export interface DigestItem {
  reviewReference: string;
  /** The only way people in the review are named. */
  pseudonyms: string[];
  kind: ReminderKind;
  /** What is due, e.g. 'IMR from Essex Police'. */
  what: string;
  /** ISO instant of the deadline now (not when the reminder was made); shown in Europe/London. */
  dueAt: string;
  /** The reminder slots held for the digest: 'before-14d', 'on-day', 'overdue-3d'… */
  slots: string[];
  /** Absolute http(s) URL of the record. */
  link: string;
}

export interface DigestEmailInput {
  /** The person the digest goes to (a professional, not a person in the review). */
  recipientName: string;
  /** When the digest is sent (ISO instant): its London date heads it and "in N days" counts from it. */
  sentAt: string;
  items: DigestItem[];
}

export interface DigestItemView {
  reviewReference: string;
  pseudonymList: string;
  what: string;
  kindLabel: string;
  whenLabel: string;
  dueLong: string;
  /** 'in 6 days', 'today', '3 days overdue' (or 'was 2 days ago' for a meeting), from the digest's date. */
  position: string;
  reminderList: string;
  link: string;
  overdue: boolean;
}

export interface DigestView {
  subject: string;
  recipientName: string;
  dateLong: string;
  countLabel: string;
  items: DigestItemView[];
}

const days = (n: number) => `${n} ${n === 1 ? 'day' : 'days'}`;

/** 'before-14d' → '14 days before', for the list of reminders an item stands for. */
export function slotLabel(slot: string): string {
  const parsed = parseSlot(slot);
  switch (parsed.type) {
    case 'before':
      return `${days(parsed.days)} before`;
    case 'on-day':
      return 'on the day';
    case 'overdue':
      return `${days(parsed.days)} overdue`;
    case 'escalate':
      return `escalation, ${days(parsed.days)} overdue`;
  }
}

/** Slots in time order: before (furthest first), on the day, overdue, escalations. */
function slotOrder(slot: string): number {
  const parsed = parseSlot(slot);
  if (parsed.type === 'before') return -parsed.days * 2;
  if (parsed.type === 'on-day') return 0;
  return parsed.days * 2 + (parsed.type === 'escalate' ? 1 : 0);
}

function itemView(item: DigestItem, today: string): DigestItemView & { sortKey: number } {
  if (!(REMINDER_KINDS as readonly string[]).includes(item.kind)) {
    throw new Error(`unknown reminder kind ${JSON.stringify(item.kind)}`);
  }
  if (item.slots.length === 0) throw new Error('a digest item needs at least one reminder slot');
  const dueAt = parseInstant(item.dueAt);
  const what = oneLine(item.what, 'what');
  const meeting = item.kind === 'panel_meeting';
  const time = londonTime(dueAt);
  const hasTime = meeting || time !== '00:00';
  const left = daysBetween(today, londonDateOf(dueAt));
  let position: string;
  if (left > 0) position = `in ${days(left)}`;
  else if (left === 0) position = 'today';
  else position = meeting ? `was ${days(-left)} ago` : `${days(-left)} overdue`;
  const slots = [...new Set(item.slots)].sort((a, b) => slotOrder(a) - slotOrder(b));
  const pseudonyms = item.pseudonyms.map((p) => oneLine(p, 'pseudonym'));
  return {
    reviewReference: oneLine(item.reviewReference, 'reviewReference'),
    pseudonymList: pseudonyms.length ? pseudonyms.join(', ') : 'none recorded',
    what,
    kindLabel: KIND_LABELS[item.kind],
    whenLabel: meeting ? 'When' : 'Due',
    dueLong: hasTime ? `${londonLongDate(dueAt)} at ${time} (UK time)` : londonLongDate(dueAt),
    position,
    reminderList: slots.map(slotLabel).join('; '),
    link: absoluteLink(item.link),
    overdue: left < 0 && !meeting,
    sortKey: dueAt.getTime(),
  };
}

/** Everything the digest templates see; items soonest due first (so overdue ones lead). */
export function digestView(input: DigestEmailInput): DigestView {
  if (input.items.length === 0) throw new Error('a digest needs at least one item');
  const sentAt = parseInstant(input.sentAt);
  const today = londonDateOf(sentAt);
  const items = input.items
    .map((item) => itemView(item, today))
    .sort((a, b) => a.sortKey - b.sortKey || a.reviewReference.localeCompare(b.reviewReference) || a.what.localeCompare(b.what))
    .map(({ sortKey: _sortKey, ...view }) => view);
  const overdue = items.filter((i) => i.overdue).length;
  const countLabel = `${items.length} ${items.length === 1 ? 'item' : 'items'}${overdue ? `, ${overdue} overdue` : ''}`;
  return {
    subject: `DHR daily reminders for ${londonShortDate(sentAt)}: ${countLabel}`,
    recipientName: oneLine(input.recipientName, 'recipientName'),
    dateLong: londonLongDate(sentAt),
    countLabel,
    items,
  };
}

class ConstantLoader implements nunjucks.ILoader {
  getSource(name: string): nunjucks.LoaderSource {
    const src = DIGEST_TEMPLATES[name];
    if (src === undefined) throw new Error(`no mail template named ${JSON.stringify(name)}`);
    return { src, path: name, noCache: false };
  }
}

const environmentOptions = { throwOnUndefined: true, trimBlocks: true, lstripBlocks: true };
const textEnvironment = new nunjucks.Environment(new ConstantLoader(), { ...environmentOptions, autoescape: false });
const htmlEnvironment = new nunjucks.Environment(new ConstantLoader(), { ...environmentOptions, autoescape: true });

/**
 * A person's daily digest as subject, plain text and HTML: one entry per deadline, with the
 * reminders it stands for. Like a reminder it names reviews by reference and people by
 * pseudonym only; run `assertNoRealNames` on the result with every real name of every review
 * in it before sending.
 */
export function renderDigestEmail(input: DigestEmailInput): RenderedEmail {
  const view = digestView(input);
  return {
    subject: view.subject,
    text: textEnvironment.render('digest.txt.njk', view),
    html: htmlEnvironment.render('digest.html.njk', view),
  };
}
