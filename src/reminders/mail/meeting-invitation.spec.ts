import {
  buildMeetingInvitation,
  escapeText,
  foldLine,
  MeetingInvitationInput,
  parseMailbox,
} from './meeting-invitation';

const base: MeetingInvitationInput = {
  meetingId: '6f1c2a1e-0b7d-4c3f-9a55-1d2e3f4a5b6c',
  sequence: 0,
  method: 'REQUEST',
  reviewReference: 'DHR-MALDON-2026-001',
  title: 'Panel meeting 2',
  startsAt: '2026-04-14T10:00:00+01:00',
  endsAt: '2026-04-14T12:00:00+01:00',
  location: 'Council Offices, Princes Road; Room 2',
  url: 'https://dhr.example.gov.uk/reviews/r1/meetings/m2',
  organizer: 'DHR engine <dhr-engine@localhost>',
  attendees: [
    { email: 'chair@example.org', name: 'Chair Person' },
    { email: 'police@essex.example' },
  ],
  stamp: new Date('2026-03-01T08:00:00Z'),
};

/** Unfolds (RFC 5545 §3.1) and splits into content lines. */
function contentLines(ics: string): string[] {
  return ics.replace(/\r\n /g, '').split('\r\n').slice(0, -1);
}

function property(ics: string, name: string): string[] {
  return contentLines(ics)
    .filter((line) => line.startsWith(`${name}:`) || line.startsWith(`${name};`));
}

describe('buildMeetingInvitation', () => {
  it('makes a REQUEST with a stable UID, UTC times, the reference, organizer and attendees', () => {
    const invitation = buildMeetingInvitation(base);
    expect(invitation.method).toBe('REQUEST');
    expect(invitation.uid).toBe('6f1c2a1e-0b7d-4c3f-9a55-1d2e3f4a5b6c@dhr-engine');
    expect(contentLines(invitation.content)).toEqual([
      'BEGIN:VCALENDAR',
      'VERSION:2.0',
      'PRODID:-//DHR engine//Panel meetings//EN',
      'CALSCALE:GREGORIAN',
      'METHOD:REQUEST',
      'BEGIN:VEVENT',
      'UID:6f1c2a1e-0b7d-4c3f-9a55-1d2e3f4a5b6c@dhr-engine',
      'DTSTAMP:20260301T080000Z',
      'SEQUENCE:0',
      'DTSTART:20260414T090000Z',
      'DTEND:20260414T110000Z',
      'SUMMARY:[DHR-MALDON-2026-001] Panel meeting 2',
      'LOCATION:Council Offices\\, Princes Road\\; Room 2',
      'URL:https://dhr.example.gov.uk/reviews/r1/meetings/m2',
      'ORGANIZER;CN="DHR engine":mailto:dhr-engine@localhost',
      'ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="Chair Person":mailto:chair@example.org',
      'ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE:mailto:police@essex.example',
      'STATUS:CONFIRMED',
      'TRANSP:OPAQUE',
      'END:VEVENT',
      'END:VCALENDAR',
    ]);
  });

  it('uses CRLF line endings only, ending with one', () => {
    const { content } = buildMeetingInvitation(base);
    expect(content.endsWith('END:VCALENDAR\r\n')).toBe(true);
    expect(content.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('keeps the UID and raises SEQUENCE for an update; METHOD:CANCEL and STATUS:CANCELLED to cancel', () => {
    const first = buildMeetingInvitation(base);
    const moved = buildMeetingInvitation({ ...base, sequence: 1, startsAt: '2026-04-21T09:00:00Z', endsAt: '2026-04-21T11:00:00Z' });
    const cancelled = buildMeetingInvitation({ ...base, sequence: 2, method: 'CANCEL' });
    expect(moved.uid).toBe(first.uid);
    expect(cancelled.uid).toBe(first.uid);
    expect(property(moved.content, 'SEQUENCE')).toEqual(['SEQUENCE:1']);
    expect(property(moved.content, 'METHOD')).toEqual(['METHOD:REQUEST']);
    expect(property(moved.content, 'DTSTART')).toEqual(['DTSTART:20260421T090000Z']);
    expect(property(moved.content, 'STATUS')).toEqual(['STATUS:CONFIRMED']);
    expect(cancelled.method).toBe('CANCEL');
    expect(property(cancelled.content, 'METHOD')).toEqual(['METHOD:CANCEL']);
    expect(property(cancelled.content, 'STATUS')).toEqual(['STATUS:CANCELLED']);
    expect(property(cancelled.content, 'SEQUENCE')).toEqual(['SEQUENCE:2']);
    expect(property(cancelled.content, 'ATTENDEE')).toHaveLength(2);
  });

  it('escapes commas, semicolons, backslashes and newlines in text', () => {
    const { content } = buildMeetingInvitation({
      ...base,
      location: 'Room 2, Floor 1; C:\\Offices',
      description: 'Agenda:\r\n1. IMRs\n2. Actions, dates; next',
    });
    expect(property(content, 'LOCATION')).toEqual(['LOCATION:Room 2\\, Floor 1\\; C:\\\\Offices']);
    expect(property(content, 'DESCRIPTION')).toEqual(['DESCRIPTION:Agenda:\\n1. IMRs\\n2. Actions\\, dates\\; next']);
    expect(escapeText('a\\,b;c\rd')).toBe('a\\\\\\,b\\;c\\nd');
  });

  it('never lets a name or location break out of its property or parameter', () => {
    const { content } = buildMeetingInvitation({
      ...base,
      location: 'Room\r\nATTENDEE:mailto:evil@example.com',
      attendees: [{ email: 'chair@example.org', name: 'A "B";ROLE=CHAIR:x\r\nX' }],
    });
    expect(property(content, 'ATTENDEE')).toEqual([
      'ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE;CN="A B;ROLE=CHAIR:xX":mailto:chair@example.org',
    ]);
    expect(property(content, 'LOCATION')).toEqual(['LOCATION:Room\\nATTENDEE:mailto:evil@example.com']);
  });

  it('folds long lines at 75 octets with CRLF and a space, never inside a UTF-8 character', () => {
    const { content } = buildMeetingInvitation({
      ...base,
      description: `${'Agenda item, '.repeat(12)}café ☕ ${'é'.repeat(80)} end`,
    });
    const physical = content.split('\r\n').slice(0, -1);
    for (const line of physical) expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    expect(physical.some((line) => line.startsWith(' '))).toBe(true);
    // unfolding gives back exactly the escaped value, so no character was split
    expect(property(content, 'DESCRIPTION')).toEqual([
      `DESCRIPTION:${'Agenda item\\, '.repeat(12)}café ☕ ${'é'.repeat(80)} end`,
    ]);
    expect(content).not.toContain('\uFFFD');
  });

  it('folds at exactly 75 octets', () => {
    const line = 'X'.repeat(75 + 74 + 10);
    const folded = foldLine(line).split('\r\n');
    expect(folded.map((l) => l.length)).toEqual([75, 75, 11]);
    expect(folded[1].startsWith(' ')).toBe(true);
    expect(foldLine('X'.repeat(75))).toBe('X'.repeat(75));
    // a 3-octet character that would straddle octet 75 moves to the next line whole
    const euro = foldLine(`${'X'.repeat(74)}€Y`).split('\r\n');
    expect(euro).toEqual(['X'.repeat(74), ' €Y']);
  });

  it('refuses what would make a broken invitation', () => {
    expect(() => buildMeetingInvitation({ ...base, sequence: -1 })).toThrow(/sequence/);
    expect(() => buildMeetingInvitation({ ...base, sequence: 1.5 })).toThrow(/sequence/);
    expect(() => buildMeetingInvitation({ ...base, endsAt: base.startsAt })).toThrow(/endsAt/);
    expect(() => buildMeetingInvitation({ ...base, location: null, url: null })).toThrow(/location or a url/);
    expect(() => buildMeetingInvitation({ ...base, meetingId: 'a b@c' })).toThrow(/meetingId/);
    expect(() => buildMeetingInvitation({ ...base, attendees: [{ email: 'x\r\n@y' }] })).toThrow(/email/);
    expect(() => buildMeetingInvitation({ ...base, attendees: [] })).toThrow(/attendee/);
    expect(() => buildMeetingInvitation({ ...base, url: 'javascript:alert(1)' })).toThrow(/http/);
  });
});

describe('parseMailbox', () => {
  it.each([
    ['DHR engine <dhr-engine@localhost>', { name: 'DHR engine', address: 'dhr-engine@localhost' }],
    ['"Maldon CSP" <csp@maldon.gov.uk>', { name: 'Maldon CSP', address: 'csp@maldon.gov.uk' }],
    ['csp@maldon.gov.uk', { name: null, address: 'csp@maldon.gov.uk' }],
  ])('%s', (mailbox, expected) => {
    expect(parseMailbox(mailbox)).toEqual(expected);
  });

  it('refuses something that is not an address', () => {
    expect(() => parseMailbox('DHR engine')).toThrow(/not an email address/);
  });
});
