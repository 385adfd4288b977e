import type { CalendarEvent } from './mailer';

/**
 * iCalendar (RFC 5545) invitations to panel meetings, sent as iTIP (RFC 5546) REQUEST or
 * CANCEL messages. Written by hand: one VEVENT with a handful of properties needs no package.
 *
 * A meeting keeps one UID for life (`<meetingId>@dhr-engine`), so a calendar replaces its
 * copy when an update or a cancellation arrives; SEQUENCE must go up with each change (pass
 * the meeting's revision: 0 for the first invitation, then 1, 2, …).
 */
export interface MeetingInvitationInput {
  meetingId: string;
  /** 0 for the first invitation; larger for each later update or the cancellation. */
  sequence: number;
  method: 'REQUEST' | 'CANCEL';
  reviewReference: string;
  /** e.g. 'Panel meeting 2'; never a person's name. Default 'Panel meeting'. */
  title?: string;
  startsAt: string | Date;
  endsAt: string | Date;
  location?: string | null;
  /** Absolute http(s) URL: the meeting's page or an online meeting link. */
  url?: string | null;
  description?: string | null;
  /** The sender (MAIL_FROM): `Name <address>` or an address. */
  organizer: string;
  attendees: Array<{ email: string; name?: string | null }>;
  /** DTSTAMP: when this version was made. Default now. */
  stamp?: Date;
}

export interface MeetingInvitation extends CalendarEvent {
  uid: string;
}

export const PRODUCT_ID = '-//DHR engine//Panel meetings//EN';

export function meetingUid(meetingId: string): string {
  if (!/^[A-Za-z0-9._-]{1,200}$/.test(meetingId)) {
    throw new Error(`meetingId must be letters, digits, '.', '_' or '-'; got ${JSON.stringify(meetingId)}`);
  }
  return `${meetingId}@dhr-engine`;
}

const EMAIL = /^[^\s<>@",;:\\]+@[^\s<>@",;:\\]+$/;

/** `Name <address>` or `address` → its parts. */
export function parseMailbox(mailbox: string): { name: string | null; address: string } {
  const match = /^\s*(?:"?([^"<>]*?)"?\s*<([^<>]+)>|([^<>\s]+))\s*$/.exec(mailbox);
  const address = (match?.[2] ?? match?.[3] ?? '').trim();
  if (!EMAIL.test(address)) throw new Error(`not an email address: ${JSON.stringify(mailbox)}`);
  const name = match?.[1]?.trim();
  return { name: name ? name : null, address };
}

/** TEXT value escaping (RFC 5545 §3.3.11): backslash, semicolon, comma, and newlines as \n. */
export function escapeText(value: string): string {
  return value
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '');
}

/** A parameter value (e.g. CN) always quoted; DQUOTE and control characters cannot appear. */
function quotedParam(value: string): string {
  return `"${value.replace(/[\u0000-\u001f\u007f"]/g, '').trim()}"`;
}

/**
 * Folds a content line so no physical line is longer than 75 octets (RFC 5545 §3.1): a CRLF
 * and one space before each continuation, never inside a UTF-8 character.
 */
export function foldLine(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    const limit = out.length === 0 ? 75 : 74; // a continuation's leading space is one of its 75
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

function instant(value: string | Date, field: string): Date {
  const at = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(at.getTime())) throw new Error(`${field} is not a valid date-time: ${JSON.stringify(value)}`);
  return at;
}

/** DATE-TIME in UTC form: 20260414T090000Z. */
export function utcDateTime(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:]/g, '');
}

function httpUrl(value: string): string {
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('url must be http(s)');
  return url.href;
}

/** The VCALENDAR text of an invitation, update or cancellation, ready for Mailer's icalEvent. */
export function buildMeetingInvitation(input: MeetingInvitationInput): MeetingInvitation {
  if (!Number.isInteger(input.sequence) || input.sequence < 0) {
    throw new Error(`sequence must be a whole number from 0; got ${input.sequence}`);
  }
  const start = instant(input.startsAt, 'startsAt');
  const end = instant(input.endsAt, 'endsAt');
  if (end <= start) throw new Error('endsAt must be after startsAt');
  if (!input.location && !input.url) throw new Error('a meeting needs a location or a url');
  if (input.attendees.length === 0) throw new Error('a meeting invitation needs at least one attendee');
  const uid = meetingUid(input.meetingId);
  const organizer = parseMailbox(input.organizer);
  const cancelled = input.method === 'CANCEL';
  const title = (input.title ?? 'Panel meeting').trim() || 'Panel meeting';
  const summary = `${cancelled ? 'Cancelled: ' : ''}[${input.reviewReference.trim()}] ${title}`;

  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODUCT_ID}`,
    'CALSCALE:GREGORIAN',
    `METHOD:${input.method}`,
    'BEGIN:VEVENT',
    `UID:${uid}`,
    `DTSTAMP:${utcDateTime(input.stamp ?? new Date())}`,
    `SEQUENCE:${input.sequence}`,
    `DTSTART:${utcDateTime(start)}`,
    `DTEND:${utcDateTime(end)}`,
    `SUMMARY:${escapeText(summary)}`,
  ];
  if (input.description) lines.push(`DESCRIPTION:${escapeText(input.description)}`);
  if (input.location) lines.push(`LOCATION:${escapeText(input.location)}`);
  if (input.url) lines.push(`URL:${httpUrl(input.url)}`);
  lines.push(
    `ORGANIZER${organizer.name ? `;CN=${quotedParam(organizer.name)}` : ''}:mailto:${organizer.address}`,
  );
  for (const attendee of input.attendees) {
    const email = attendee.email.trim();
    if (!EMAIL.test(email)) throw new Error(`not an email address: ${JSON.stringify(attendee.email)}`);
    const cn = attendee.name?.trim() ? `;CN=${quotedParam(attendee.name)}` : '';
    lines.push(
      `ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=${cancelled ? 'FALSE' : 'TRUE'}${cn}:mailto:${email}`,
    );
  }
  lines.push(
    `STATUS:${cancelled ? 'CANCELLED' : 'CONFIRMED'}`,
    `TRANSP:${cancelled ? 'TRANSPARENT' : 'OPAQUE'}`,
    'END:VEVENT',
    'END:VCALENDAR',
  );
  return {
    method: input.method,
    uid,
    content: lines.map(foldLine).join('\r\n') + '\r\n',
  };
}
