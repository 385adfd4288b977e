import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { Logger } from '../../infrastructure/logging/root-logger';

/** Largest message the capture takes; a larger one is refused with 552 and nothing is written. */
export const LOCAL_CAPTURE_MAX_BYTES = 25 * 1024 * 1024;

export interface LocalMailCapture {
  /** `smtp://127.0.0.1:PORT`: put it in config.mail.smtpUrl. */
  url: string;
  /** The folder messages are written to. */
  dir: string;
  stop(): Promise<void>;
}

/** `2026-04-14T08-30-00.123Z-1a2b3c4d5e6f.eml`: sorts by arrival, valid on every file system. */
export function captureFileName(at: Date = new Date()): string {
  return `${at.toISOString().replace(/:/g, '-')}-${randomBytes(6).toString('hex')}.eml`;
}

function rejection(message: string, responseCode: number): Error {
  return Object.assign(new Error(message), { responseCode });
}

/**
 * The mail server of the single-machine start when SMTP_URL is unset: an SMTP server on
 * 127.0.0.1 (free port, no authentication, no TLS) that writes each message it receives, byte
 * for byte, as one `.eml` file in `dir`, which any mail client opens. A file appears only once
 * complete (written under a temporary name, then renamed), so a reader never sees half a message.
 */
export async function startLocalMailCapture(
  dir: string,
  logger: Logger,
  options: { maxBytes?: number } = {},
): Promise<LocalMailCapture> {
  await mkdir(dir, { recursive: true });
  const log = logger.child({ component: 'local-mail-capture' });

  async function store(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<string> {
    const name = captureFileName();
    const partial = join(dir, `.${name}.partial`);
    try {
      await pipeline(stream, createWriteStream(partial, { flags: 'wx' }));
      if (stream.sizeExceeded) throw rejection('Error: message exceeds fixed maximum message size', 552);
      await rename(partial, join(dir, name));
    } catch (error) {
      stream.resume(); // drain whatever is left so the connection can answer
      await rm(partial, { force: true });
      throw error;
    }
    log.info(
      {
        file: name,
        to: session.envelope.rcptTo.map((r) => r.address),
        bytes: stream.byteLength,
      },
      'mail captured',
    );
    return name;
  }

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    secure: false,
    size: options.maxBytes ?? LOCAL_CAPTURE_MAX_BYTES,
    banner: 'DHR engine local mail capture',
    logger: false,
    closeTimeout: 5_000,
    onData(stream, session, callback) {
      store(stream, session).then(
        (name) => callback(null, `Message captured as ${name}`),
        (error: unknown) => {
          const responseCode = (error as { responseCode?: unknown }).responseCode;
          if (typeof responseCode === 'number') return callback(error as Error);
          log.error({ err: error }, 'could not write captured mail');
          callback(rejection('Error: local capture could not store the message', 451));
        },
      );
    },
  });
  server.on('error', (error) => log.error({ err: error }, 'local mail capture error'));

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  const url = `smtp://127.0.0.1:${port}`;
  log.info({ url, dir }, 'local mail capture listening; messages are written as .eml files');

  let stopped: Promise<void> | null = null;
  return {
    url,
    dir,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}
