import { simpleParser, ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server for tests: it accepts every message and keeps it, parsed. */
export async function startSmtpSink(options: { beforeAccept?: () => Promise<void> } = {}) {
  let rejecting = false;
  let refusingFor: number | null = null;
  let refusedCount = 0;
  const received: ParsedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', async () => {
        try {
          await options.beforeAccept?.();
          if (refusingFor !== null) {
            refusedCount += 1;
            callback(Object.assign(new Error('Try again later'), { responseCode: refusingFor }));
            return;
          }
          if (rejecting) {
            const refusal = Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 });
            callback(refusal);
            return;
          }
          received.push(await simpleParser(Buffer.concat(chunks)));
          callback();
        } catch (error) {
          callback(error as Error);
        }
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    /** While true, every message is refused with 550 (a permanent failure). */
    reject(value: boolean) {
      rejecting = value;
    },
    /** While set, every message is refused with this code (451: a transient failure); null: accept again. */
    refuse(code: number | null) {
      refusingFor = code;
    },
    /** How many messages were refused by `refuse`. */
    refused: () => refusedCount,
    async waitFor(count: number, timeoutMs = 15000): Promise<ParsedMail[]> {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (received.length < count) throw new Error(`expected ${count} emails, got ${received.length}: ${received.map((m) => m.subject).join(' | ')}`);
      return received;
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
