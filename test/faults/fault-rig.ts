import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer, Server, Socket } from 'node:net';
import IORedis from 'ioredis';
import { SMTPServer } from 'smtp-server';
import { testPort as freePort } from '../support/ports';

export { freePort };

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 100): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
}

/**
 * A redis-server of the suite's own (from PATH), so it can be flushed, killed and replaced by
 * an empty one without touching the Redis other test files share. Nothing kept on disk.
 */
export async function startRedisServer(port?: number) {
  if (spawnSync('redis-server', ['--version']).status !== 0) {
    throw new Error('The fault suite starts a redis-server of its own: install one (Debian: apt-get install redis-server)');
  }
  const p = port ?? (await freePort());
  const child: ChildProcess = spawn('redis-server', ['--port', String(p), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: 'ignore',
  });
  const url = `redis://127.0.0.1:${p}`;
  await until(
    `redis-server on ${p}`,
    async () => {
      const probe = new IORedis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
      probe.on('error', () => undefined);
      try {
        await probe.connect();
        return (await probe.ping()) === 'PONG';
      } catch {
        return false;
      } finally {
        probe.disconnect();
      }
    },
    10_000,
    50,
  );
  return {
    url,
    port: p,
    async flushAll() {
      const c = new IORedis(url);
      try {
        await c.flushall();
      } finally {
        c.disconnect();
      }
    },
    async kill() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/**
 * A TCP proxy in front of PostgreSQL that can go away and come back on the same port: away,
 * every open connection is cut and new ones are refused, as when the server stops.
 */
export async function startOutageProxy(targetUrl: string) {
  const target = new URL(targetUrl);
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const listen = async () => {
    server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(Number(target.port || 5432), target.hostname);
      // Either side gone (a process killed, the outage) ends the other, as a real connection
      // would: PostgreSQL then ends the session and releases its locks.
      for (const [s, other] of [
        [client, upstream],
        [upstream, client],
      ] as const) {
        sockets.add(s);
        s.on('close', () => {
          sockets.delete(s);
          other.destroy();
        });
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
  };
  await listen();
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString(),
    async down() {
      const closing = server ? new Promise<void>((resolve) => server!.close(() => resolve())) : Promise.resolve();
      for (const s of sockets) s.destroy();
      await closing;
      server = null;
    },
    up: listen,
  };
}

export interface ReceivedMail {
  key: string | null;
  messageId: string | null;
  subject: string;
  to: string;
  at: number;
  /**
   * Whether the client heard the server's 250: it spoke again on that connection afterwards
   * (its next MAIL FROM, RSET or QUIT), or it is still connected now. A message the server took
   * whose client was gone before it could hear the answer (killed, or cut off) is one the sender
   * cannot know was accepted: SMTP's own window, where a copy sent again is the protocol's limit,
   * not the service's. (Judged when read, not when the message arrived: a client killed as its
   * message arrived is seen gone only a moment later.)
   */
  readonly confirmed: boolean;
}

/**
 * A real SMTP server that counts: every accepted message's X-DHR-Reminder key, Message-ID,
 * subject and recipient, and whether its client was still there to hear the 250. It can be
 * taken down (connections refused) and brought back on the same port, and takes `delayMs`
 * before each message (at MAIL FROM, as a busy server would), so a burst lasts long enough to
 * be interrupted; the message itself is accepted the moment it has arrived, as real servers do.
 */
export async function startCountingSmtp(options: { delayMs?: number } = {}) {
  const port = await freePort();
  const received: ReceivedMail[] = [];
  let delayMs = options.delayMs ?? 0;
  let server: SMTPServer | null = null;
  const closed = new Set<string>();
  const header = (head: string, name: string) => {
    const match = new RegExp(`^${name}:(.*)$`, 'mi').exec(head);
    return match ? match[1].trim() : null;
  };
  const listen = async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      size: 10 * 1024 * 1024,
      onMailFrom(_address, _session, callback) {
        if (delayMs > 0) setTimeout(() => callback(), delayMs);
        else callback();
      },
      onClose(session) {
        closed.add(session.id);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const head = text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
          const key = header(head, 'X-DHR-Reminder');
          let spokeAfter = false;
          received.push({
            key: key ? key.replace(/\s+/g, '') : null,
            messageId: header(head, 'Message-ID'),
            subject: header(head, 'Subject') ?? '',
            to: session.envelope.rcptTo.map((r) => r.address).join(','),
            at: Date.now(),
            get confirmed() {
              return spokeAfter || !closed.has(session.id);
            },
          });
          callback();
          // Anything the client sends after this 250 means it heard it (the server's connection
          // objects are smtp-server's own; each keeps its session and socket).
          const connections = (server as unknown as { connections: Set<{ session: { id: string }; _socket: NodeJS.EventEmitter }> } | null)?.connections;
          const connection = connections ? [...connections].find((c) => c.session.id === session.id) : undefined;
          connection?._socket.once('data', () => {
            spokeAfter = true;
          });
        });
      },
    });
    server.on('error', () => undefined);
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
  };
  await listen();
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    setDelay(ms: number) {
      delayMs = ms;
    },
    async down() {
      if (!server) return;
      const s = server;
      server = null;
      await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    up: listen,
  };
}

/** One row of the fault table. */
export interface FaultRow {
  fault: string;
  due: number;
  received: number;
  /** Extra copies of a message the sender had been told was accepted: the service's fault. */
  duplicates: number;
  lost: number;
  /** Extra copies after a copy the server took but could not confirm (its client was gone): SMTP's window. */
  unconfirmedResends?: number;
  note?: string;
}

/**
 * Counts what was due against what arrived: messages due and never received (lost); extra
 * copies of a message whose acceptance its sender had heard (duplicates: the service's fault);
 * and extra copies of one the server took but the sender never heard accepted (SMTP's own
 * window: the server's 250 was on its way when the sender was killed). Without `kill`, a copy
 * was heard when its client was still connected as the server answered; with `kill`, a copy
 * the server took before the kill counts as unheard only if the killed worker had neither
 * journalled nor recorded it (`heard`, read the moment it died). Such copies carry the same
 * Message-ID as the first.
 */
export function tally(
  fault: string,
  dueKeys: string[],
  received: Array<{ key: string; confirmed: boolean; at?: number }>,
  note?: string,
  kill?: { at: number; heard: Set<string> },
): FaultRow {
  const due = new Set(dueKeys);
  const seen = new Map<string, { heard: boolean }>();
  let duplicates = 0;
  let unconfirmedResends = 0;
  const heardOf = (m: { key: string; confirmed: boolean; at?: number }) =>
    kill && m.at !== undefined && m.at <= kill.at ? kill.heard.has(m.key) : m.confirmed;
  for (const m of received) {
    const before = seen.get(m.key);
    if (!before) seen.set(m.key, { heard: heardOf(m) });
    else if (before.heard) duplicates += 1;
    else {
      unconfirmedResends += 1;
      before.heard = heardOf(m);
    }
  }
  const lost = [...due].filter((k) => !seen.has(k)).length;
  return { fault, due: due.size, received: received.length, duplicates, lost, unconfirmedResends, ...(note ? { note } : {}) };
}

export function printTable(rows: FaultRow[]): string {
  const lines = [
    '| fault | due | received | duplicates | lost | re-sent after an unconfirmed 250 | note |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.fault} | ${r.due} | ${r.received} | ${r.duplicates} | ${r.lost} | ${r.unconfirmedResends ?? 0} | ${r.note ?? ''} |`),
  ];
  return lines.join('\n');
}
