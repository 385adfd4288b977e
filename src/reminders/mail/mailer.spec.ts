import { join } from 'node:path';
import { loadConfig } from '../../infrastructure/config/load-config';
import { projectRoot } from '../../infrastructure/config/project-root';
import { MailDeliveryError, Mailer, resolvedSmtpUrl, toMailDeliveryError } from './mailer';

const smtpError = (message: string, code: string, responseCode?: number) =>
  Object.assign(new Error(message), { code, ...(responseCode ? { responseCode } : {}) });

describe('toMailDeliveryError', () => {
  it.each([
    ['a 550 refusal', smtpError('all recipients were rejected', 'EENVELOPE', 550), true, 550],
    ['a 552 after DATA', smtpError('Message failed', 'EMESSAGE', 552), true, 552],
    ['a 535 login refusal', smtpError('Invalid login', 'EAUTH', 535), true, 535],
    ['a 451 after DATA', smtpError('Message failed', 'EMESSAGE', 451), false, 451],
    ['a 421 greeting', smtpError('Greeting never received', 'EPROTOCOL', 421), false, 421],
    ['a 450 mailbox busy', smtpError('Recipient busy', 'EENVELOPE', 450), false, 450],
    ['a refused connection', smtpError('connect ECONNREFUSED 127.0.0.1:1', 'ESOCKET'), false, null],
    ['a dropped connection', smtpError('Connection closed unexpectedly', 'ECONNECTION'), false, null],
    ['a timeout', smtpError('Connection timeout', 'ETIMEDOUT'), false, null],
    ['an address nodemailer refuses itself', smtpError('Invalid recipient "x"', 'EENVELOPE'), true, null],
    ['something unknown', new Error('boom'), false, null],
  ])('%s', (_what, error, permanent, responseCode) => {
    const mapped = toMailDeliveryError(error);
    expect(mapped).toBeInstanceOf(MailDeliveryError);
    expect(mapped.permanent).toBe(permanent);
    expect(mapped.responseCode).toBe(responseCode);
    expect(mapped.cause).toBe(error);
    expect(mapped.message).toContain(permanent ? 'permanent' : 'transient');
  });
});

describe('mail settings', () => {
  it('defaults: no SMTP URL, the engine as sender, the capture under DATA_DIR', () => {
    const config = loadConfig({ DATA_DIR: '/var/lib/dhr' });
    expect(config.mail).toEqual({
      smtpUrl: null,
      from: 'DHR engine <dhr-engine@localhost>',
      captureDir: '/var/lib/dhr/mail',
    });
  });

  it('takes SMTP_URL, MAIL_FROM and MAIL_CAPTURE_DIR, a relative folder against the project', () => {
    const config = loadConfig({
      SMTP_URL: 'smtps://user:secret@smtp.example.gov.uk:465',
      MAIL_FROM: 'Maldon CSP <dhr@maldon.gov.uk>',
      MAIL_CAPTURE_DIR: 'mail-out',
    });
    expect(config.mail).toEqual({
      smtpUrl: 'smtps://user:secret@smtp.example.gov.uk:465',
      from: 'Maldon CSP <dhr@maldon.gov.uk>',
      captureDir: join(projectRoot(), 'mail-out'),
    });
    expect(loadConfig({ MAIL_CAPTURE_DIR: '/srv/mail' }).mail.captureDir).toBe('/srv/mail');
    expect(loadConfig({ MAIL_FROM: 'dhr@maldon.gov.uk' }).mail.from).toBe('dhr@maldon.gov.uk');
  });

  it.each([
    ['SMTP_URL', 'http://smtp.example.gov.uk', /SMTP_URL: expected an smtp:\/\/ or smtps:\/\/ URL/],
    ['SMTP_URL', 'smtp.example.gov.uk:25', /SMTP_URL: expected/],
    ['MAIL_FROM', 'DHR engine', /MAIL_FROM: expected a sender/],
    ['MAIL_FROM', 'DHR <a@b>\nBcc: x@y', /MAIL_FROM: expected a sender/],
  ])('refuses %s=%j naming the variable', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('resolvedSmtpUrl says plainly when no SMTP server was set or started', () => {
    const config = loadConfig({});
    expect(() => resolvedSmtpUrl(config)).toThrow(/SMTP URL was not resolved/);
    expect(resolvedSmtpUrl({ mail: { ...config.mail, smtpUrl: 'smtp://127.0.0.1:2525' } })).toBe(
      'smtp://127.0.0.1:2525',
    );
  });

  it('Mailer refuses to send before the SMTP URL is resolved, and closes cleanly unused', async () => {
    const mailer = new Mailer(loadConfig({}));
    await expect(mailer.send({ to: 'a@example.org', subject: 's', text: 't', html: '<p>h</p>' })).rejects.toThrow(
      /SMTP URL was not resolved/,
    );
    expect(() => mailer.onModuleDestroy()).not.toThrow();
  });
});
