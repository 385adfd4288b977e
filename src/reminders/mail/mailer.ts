import { Inject, Injectable, OnModuleDestroy } from '@nestjs/common';
import { createTransport, Transporter } from 'nodemailer';
import SMTPPool from 'nodemailer/lib/smtp-pool';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';

export interface CalendarEvent {
  /** REQUEST for an invitation or an update, CANCEL for a cancellation (RFC 5546). */
  method: 'REQUEST' | 'CANCEL';
  /** The whole VCALENDAR text, CRLF line endings (see meeting-invitation.ts). */
  content: string;
}

export interface OutgoingMail {
  to: string | string[];
  subject: string;
  text: string;
  html: string;
  /** Sent as a text/calendar alternative with `method=…`, which mail clients show as an invitation. */
  icalEvent?: CalendarEvent;
  /**
   * Message-ID to use (with or without the angle brackets). Give a deterministic one (derived
   * from the send's idempotency key) so that a duplicate that slips through is recognisable.
   */
  messageId?: string;
  headers?: Record<string, string>;
}

export interface SentMail {
  messageId: string;
  accepted: string[];
  /** Recipients the server refused while accepting others; all refused throws instead. */
  rejected: string[];
}

/**
 * A message the SMTP server did not take. `permanent` (a 5xx answer, or a message nodemailer
 * itself refuses) means retrying the same message will not help; otherwise (a 4xx answer, a
 * refused or dropped connection, a timeout) a later retry may succeed.
 */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly responseCode: number | null,
    readonly code: string | null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailDeliveryError';
  }
}

/** Failures nodemailer reports without a server answer that no retry can fix. */
const PERMANENT_WITHOUT_RESPONSE = new Set(['EENVELOPE', 'EMESSAGE', 'EAUTH', 'ECONFIG']);

/** Classifies whatever nodemailer threw: the SMTP reply code first, else nodemailer's own code. */
export function toMailDeliveryError(error: unknown): MailDeliveryError {
  if (error instanceof MailDeliveryError) return error;
  const details = (error ?? {}) as { message?: unknown; responseCode?: unknown; code?: unknown };
  const responseCode = typeof details.responseCode === 'number' ? details.responseCode : null;
  const code = typeof details.code === 'string' ? details.code : null;
  const permanent =
    responseCode !== null
      ? responseCode >= 500 && responseCode < 600
      : code !== null && PERMANENT_WITHOUT_RESPONSE.has(code);
  const reason = typeof details.message === 'string' ? details.message : String(error);
  return new MailDeliveryError(
    `mail not delivered (${permanent ? 'permanent' : 'transient'}): ${reason}`,
    permanent,
    responseCode,
    code,
    { cause: error },
  );
}

/**
 * The SMTP URL filled in by configuration or by the single-machine start (which runs a local
 * capture when SMTP_URL is unset). A missing one is a start-up mistake, reported plainly.
 */
export function resolvedSmtpUrl(config: Pick<AppConfig, 'mail'>): string {
  const url = config.mail.smtpUrl;
  if (!url) {
    throw new Error(
      'SMTP URL was not resolved before mail was sent: set SMTP_URL, or start the local mail capture first',
    );
  }
  if (!/^smtps?:\/\//.test(url)) throw new Error('SMTP URL must start with smtp:// or smtps://');
  return url;
}

function withAngleBrackets(messageId: string): string {
  const bare = messageId.trim().replace(/^<|>$/g, '');
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(bare)) {
    throw new Error(`messageId must look like local@domain; got ${JSON.stringify(messageId)}`);
  }
  return `<${bare}>`;
}

function addresses(list: Array<string | { address: string }> | undefined): string[] {
  return (list ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.address));
}

/** How long the SMTP client waits to connect, for the greeting, and on an idle socket (ms). */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 60_000 } as const;

/**
 * Sends mail through the configured SMTP server. One nodemailer transport per process, made on
 * the first send (so a process that never mails needs no SMTP URL) and closed with the module.
 * It is pooled: up to SMTP_POOL_SIZE connections stay open and messages go over them in turn,
 * rather than a new connection (and TLS handshake) per message.
 */
@Injectable()
export class Mailer implements OnModuleDestroy {
  private transport: Transporter<SMTPTransport.SentMessageInfo> | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async send(mail: OutgoingMail): Promise<SentMail> {
    const transport = this.transporter();
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await transport.sendMail({
        from: this.config.mail.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        icalEvent: mail.icalEvent
          ? { method: mail.icalEvent.method, content: mail.icalEvent.content, filename: 'invite.ics' }
          : undefined,
        messageId: mail.messageId === undefined ? undefined : withAngleBrackets(mail.messageId),
        headers: mail.headers,
      });
    } catch (error) {
      throw toMailDeliveryError(error);
    }
    return {
      messageId: info.messageId,
      accepted: addresses(info.accepted),
      rejected: addresses(info.rejected),
    };
  }

  onModuleDestroy(): void {
    this.transport?.close();
    this.transport = null;
  }

  private transporter(): Transporter<SMTPTransport.SentMessageInfo> {
    if (!this.transport) {
      // The transport is made from its class, not from a URL string: createTransport given an
      // object with a `url` keeps only what the URL says and drops every other option.
      const options: SMTPPool.Options = {
        url: resolvedSmtpUrl(this.config),
        pool: true,
        maxConnections: this.config.reminders.smtpPoolSize,
        maxMessages: 1000,
        ...SMTP_TIMEOUTS,
        // nodemailer's own logger prints to the console; errors reach the caller instead.
        logger: false,
        debug: false,
      };
      this.transport = createTransport(new SMTPPool(options)) as unknown as Transporter<SMTPTransport.SentMessageInfo>;
    }
    return this.transport;
  }
}
