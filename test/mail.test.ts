import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect, createServer, AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { simpleParser, ParsedMail, AddressObject } from 'mailparser';
import { SMTPServer, SMTPServerOptions } from 'smtp-server';
import { AppConfig } from '../src/infrastructure/config/app-config';
import { ConfigModule } from '../src/infrastructure/config/config.module';
import { loadConfig } from '../src/infrastructure/config/load-config';
import { createRootLogger } from '../src/infrastructure/logging/root-logger';
import { startLocalMailCapture, LocalMailCapture } from '../src/reminders/mail/local-mail-capture';
import { MailDeliveryError, Mailer, OutgoingMail } from '../src/reminders/mail/mailer';
import { buildMeetingInvitation } from '../src/reminders/mail/meeting-invitation';
import { assertNoRealNames, renderReminderEmail } from '../src/reminders/mail/reminder-email';

/**
 * The mailer against real SMTP servers started here: one that keeps what it receives, ones that
 * refuse, a port nobody listens on, and the local capture the single-machine start uses.
 */

interface Received {
  from: string | false;
  to: string[];
  raw: Buffer;
}

async function startSmtpServer(options: Partial<SMTPServerOptions> = {}) {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 1000,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom && session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks),
        });
        callback();
      });
    },
    ...options,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const refusal = (message: string, responseCode: number) => Object.assign(new Error(message), { responseCode });

/** A Mailer made by Nest as the application makes it, pointing at `smtpUrl`. */
async function mailerFor(smtpUrl: string, env: Record<string, string> = {}) {
  const config: AppConfig = loadConfig({ APP_ENV: 'test', LOG_LEVEL: 'silent', SMTP_URL: smtpUrl, ...env });
  const moduleRef = await Test.createTestingModule({
    imports: [ConfigModule.forRoot(config)],
    providers: [Mailer],
  }).compile();
  await moduleRef.init();
  return { mailer: moduleRef.get(Mailer), close: () => moduleRef.close() };
}

const reminder = renderReminderEmail({
  reviewReference: 'DHR-MALDON-2026-001',
  pseudonyms: ['Adult A', 'Adult B'],
  kind: 'panel_meeting',
  what: 'Panel meeting 2',
  dueAt: '2026-04-14T09:00:00Z',
  slot: 'before-7d',
  link: 'https://dhr.example.gov.uk/reviews/r1/meetings/m2',
  recipientName: 'Chair Person',
});

const invitation = buildMeetingInvitation({
  meetingId: 'm2',
  sequence: 0,
  method: 'REQUEST',
  reviewReference: 'DHR-MALDON-2026-001',
  title: 'Panel meeting 2',
  startsAt: '2026-04-14T09:00:00Z',
  endsAt: '2026-04-14T11:00:00Z',
  location: 'Council Offices, Princes Road; Room 2',
  organizer: 'Maldon DHR <dhr@maldon.example>',
  attendees: [
    { email: 'chair@example.org', name: 'Chair Person' },
    { email: 'police@essex.example' },
  ],
});

function mail(overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return { to: 'chair@example.org', ...reminder, ...overrides };
}

const addressesOf = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => v.address));

/** The text/calendar part of a parsed message, however mailparser files it. */
function calendarPart(parsed: ParsedMail) {
  return parsed.attachments.find((a) => a.contentType === 'text/calendar');
}

describe('Mailer over SMTP', () => {
  it('delivers the reminder as text and HTML with the meeting invitation, from MAIL_FROM', async () => {
    const server = await startSmtpServer();
    const { mailer, close } = await mailerFor(server.url, { MAIL_FROM: 'Maldon DHR <dhr@maldon.example>' });
    try {
      const sent = await mailer.send(
        mail({
          to: ['chair@example.org', 'police@essex.example'],
          icalEvent: invitation,
          messageId: 'reminder-r1-m2-before-7d@dhr-engine',
          headers: { 'X-DHR-Idempotency-Key': 'reminder-r1-m2-before-7d' },
        }),
      );
      expect(sent).toEqual({
        messageId: '<reminder-r1-m2-before-7d@dhr-engine>',
        accepted: ['chair@example.org', 'police@essex.example'],
        rejected: [],
      });

      expect(server.received).toHaveLength(1);
      const [message] = server.received;
      expect(message.from).toBe('dhr@maldon.example');
      expect(message.to).toEqual(['chair@example.org', 'police@essex.example']);

      const parsed = await simpleParser(message.raw);
      expect(parsed.subject).toBe('[DHR-MALDON-2026-001] Panel meeting 2 in 7 days (Tue 14 April 2026, 10:00)');
      expect(parsed.messageId).toBe('<reminder-r1-m2-before-7d@dhr-engine>');
      expect(parsed.headers.get('x-dhr-idempotency-key')).toBe('reminder-r1-m2-before-7d');
      expect(parsed.from?.value).toEqual([{ name: 'Maldon DHR', address: 'dhr@maldon.example' }]);
      expect(addressesOf(parsed.to)).toEqual(['chair@example.org', 'police@essex.example']);
      expect(parsed.text?.replace(/\r\n/g, '\n')).toBe(reminder.text);
      expect(parsed.html).toContain('<a href="https://dhr.example.gov.uk/reviews/r1/meetings/m2"');
      expect(parsed.html).toContain('Tuesday 14 April 2026 at 10:00 (UK time)');
      assertNoRealNames({ subject: parsed.subject ?? '', text: parsed.text ?? '', html: parsed.html || '' }, [
        'Jane Smith',
      ]);

      const calendar = calendarPart(parsed);
      expect(calendar).toBeDefined();
      expect(calendar?.headers.get('content-type')).toMatchObject({
        value: 'text/calendar',
        params: expect.objectContaining({ method: 'REQUEST' }),
      });
      const ics = calendar!.content.toString('utf8');
      expect(ics).toBe(invitation.content);
      expect(ics).toContain('\r\nMETHOD:REQUEST\r\n');
      expect(ics).toContain('\r\nUID:m2@dhr-engine\r\n');
      expect(ics).toContain('\r\nORGANIZER;CN="Maldon DHR":mailto:dhr@maldon.example\r\n');
    } finally {
      await close();
      await server.stop();
    }
  });

  it('sends a cancellation as text/calendar; method=CANCEL', async () => {
    const server = await startSmtpServer();
    const { mailer, close } = await mailerFor(server.url);
    try {
      const cancel = buildMeetingInvitation({
        ...{ meetingId: 'm2', reviewReference: 'DHR-MALDON-2026-001', location: 'Room 2' },
        sequence: 1,
        method: 'CANCEL',
        startsAt: '2026-04-14T09:00:00Z',
        endsAt: '2026-04-14T11:00:00Z',
        organizer: 'DHR engine <dhr-engine@localhost>',
        attendees: [{ email: 'chair@example.org' }],
      });
      await mailer.send(mail({ icalEvent: cancel }));
      const parsed = await simpleParser(server.received[0].raw);
      expect(parsed.from?.value).toEqual([{ name: 'DHR engine', address: 'dhr-engine@localhost' }]);
      const calendar = calendarPart(parsed);
      expect(calendar?.headers.get('content-type')).toMatchObject({
        params: expect.objectContaining({ method: 'CANCEL' }),
      });
      expect(calendar!.content.toString('utf8')).toMatch(/\r\nSTATUS:CANCELLED\r\n[\s\S]*\r\nSEQUENCE:1\r\n|\r\nSEQUENCE:1\r\n[\s\S]*\r\nSTATUS:CANCELLED\r\n/);
    } finally {
      await close();
      await server.stop();
    }
  });

  it('reports recipients the server refused while taking the others', async () => {
    const server = await startSmtpServer({
      onRcptTo(address, _session, callback) {
        if (address.address.startsWith('gone')) return callback(refusal('5.1.1 No such user', 550));
        callback();
      },
    });
    const { mailer, close } = await mailerFor(server.url);
    try {
      const sent = await mailer.send(mail({ to: ['chair@example.org', 'gone@example.org'] }));
      expect(sent.accepted).toEqual(['chair@example.org']);
      expect(sent.rejected).toEqual(['gone@example.org']);
      expect(server.received.map((m) => m.to)).toEqual([['chair@example.org']]);
    } finally {
      await close();
      await server.stop();
    }
  });

  it('a 550 answer is a permanent MailDeliveryError', async () => {
    const server = await startSmtpServer({
      onRcptTo(_address, _session, callback) {
        callback(refusal('5.1.1 No such user here', 550));
      },
    });
    const { mailer, close } = await mailerFor(server.url);
    try {
      const error = await mailer.send(mail()).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MailDeliveryError);
      expect(error).toMatchObject({ permanent: true, responseCode: 550 });
      expect(server.received).toHaveLength(0);
    } finally {
      await close();
      await server.stop();
    }
  });

  it('a 451 answer to the message is a transient MailDeliveryError', async () => {
    const server = await startSmtpServer({
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(refusal('4.3.0 Try again later', 451)));
      },
    });
    const { mailer, close } = await mailerFor(server.url);
    try {
      await expect(mailer.send(mail())).rejects.toMatchObject({
        name: 'MailDeliveryError',
        permanent: false,
        responseCode: 451,
      });
    } finally {
      await close();
      await server.stop();
    }
  });

  it('a port nobody listens on is a transient MailDeliveryError', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const { mailer, close } = await mailerFor(`smtp://127.0.0.1:${port}`);
    try {
      const error = await mailer.send(mail()).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(MailDeliveryError);
      expect(error).toMatchObject({ permanent: false, responseCode: null });
      expect((error as MailDeliveryError).message).toMatch(/ECONNREFUSED/);
    } finally {
      await close();
    }
  });
});

describe('local mail capture', () => {
  const logger = createRootLogger({ log: { level: 'silent' } });
  let dir: string;
  let capture: LocalMailCapture;

  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'dhr-mail-')), 'mail'); // created by the capture
    capture = await startLocalMailCapture(dir, logger);
  });

  afterEach(async () => {
    await capture.stop();
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 and writes each message as a readable .eml file', async () => {
    expect(capture.url).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    const { mailer, close } = await mailerFor(capture.url);
    try {
      await mailer.send(mail({ icalEvent: invitation }));
      await mailer.send(mail({ to: 'police@essex.example', subject: 'Second' }));
    } finally {
      await close();
    }

    const files = (await readdir(dir)).sort();
    expect(files).toHaveLength(2);
    for (const file of files) expect(file).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z-[0-9a-f]{12}\.eml$/);

    const parsed = await Promise.all(files.map(async (file) => simpleParser(await readFile(join(dir, file)))));
    const first = parsed.find((p) => p.subject === reminder.subject);
    const second = parsed.find((p) => p.subject === 'Second');
    expect(addressesOf(first?.to)).toEqual(['chair@example.org']);
    expect(first?.text?.replace(/\r\n/g, '\n')).toBe(reminder.text);
    expect(first && calendarPart(first)?.content.toString('utf8')).toBe(invitation.content);
    expect(addressesOf(second?.to)).toEqual(['police@essex.example']);
  });

  it('takes up to 25 MB, as it tells clients in EHLO', async () => {
    const { port } = new URL(capture.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.setEncoding('utf8');
    let transcript = '';
    let step: 'greeting' | 'ehlo' | 'quit' = 'greeting';
    socket.on('data', (chunk: string) => {
      transcript += chunk;
      if (step === 'greeting' && /^220 /m.test(transcript)) {
        step = 'ehlo';
        socket.write('EHLO test.example\r\n');
      } else if (step === 'ehlo' && /^250 /m.test(transcript)) {
        step = 'quit';
        socket.end('QUIT\r\n');
      }
    });
    await new Promise((resolve) => socket.on('close', resolve));
    expect(transcript).toMatch(new RegExp(`^250[- ]SIZE ${25 * 1024 * 1024}\r$`, 'm'));
    expect(transcript).not.toContain('STARTTLS');
  });

  it('refuses a message over its limit with a permanent error and writes nothing', async () => {
    const small = await startLocalMailCapture(join(dir, 'small'), logger, { maxBytes: 64 * 1024 });
    const { mailer, close } = await mailerFor(small.url);
    try {
      await expect(mailer.send(mail({ text: 'x'.repeat(100 * 1024), html: '<p>big</p>' }))).rejects.toMatchObject({
        name: 'MailDeliveryError',
        permanent: true,
        responseCode: 552,
      });
      await mailer.send(mail({ subject: 'After the big one' }));
    } finally {
      await close();
      await small.stop();
    }
    const files = await readdir(join(dir, 'small'));
    expect(files).toHaveLength(1);
    const parsed = await simpleParser(await readFile(join(dir, 'small', files[0])));
    expect(parsed.subject).toBe('After the big one');
  });
});
