import { createServer, Socket } from 'node:net';

/** True when something accepts TCP connections on host:port within timeoutMs. */
export function isPortOpen(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host);
  });
}

/**
 * Ports handed out here sit below the operating systems' ephemeral ranges (Linux 32768–60999,
 * macOS and Windows 49152–65535). A port the OS picked with listen(0) lies inside that range, so
 * between closing it here and the server that wants it binding it, any outgoing connection or
 * any other listen(0) on the machine may take it (seen in CI: EADDRINUSE on the API's port while
 * the embedded PostgreSQL started). Nothing takes a port below the range unless it asks for it.
 */
export const RESERVABLE_PORTS = { first: 20000, last: 32767 } as const;

/** True when a TCP server can listen on 127.0.0.1:port right now. */
export function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago, chosen at random outside the ephemeral
 * range (see RESERVABLE_PORTS) so that it stays free until the caller's server binds it.
 */
export async function freePort(attempts = 200): Promise<number> {
  const span = RESERVABLE_PORTS.last - RESERVABLE_PORTS.first + 1;
  for (let i = 0; i < attempts; i++) {
    const port = RESERVABLE_PORTS.first + Math.floor(Math.random() * span);
    if (await canListen(port)) return port;
  }
  throw new Error(
    `no free TCP port on 127.0.0.1 between ${RESERVABLE_PORTS.first} and ${RESERVABLE_PORTS.last} after ${attempts} tries`,
  );
}

export async function waitFor(
  check: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  return check();
}
