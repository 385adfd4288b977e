import { createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy in front of a real server, so a test can make that server vanish for the
 * application (stop() closes the listener and cuts every open connection) without stopping
 * the server other test files share.
 */
export async function startTcpProxy(
  targetUrl: string,
  options: { delayMs?: number; port?: number } = {},
): Promise<{ url: string; stop(): Promise<void> }> {
  const target = new URL(targetUrl);
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    // delayMs: a slow server, which accepts the connection but answers nothing (what the client
    // sent waits, buffered) for that long.
    const forward = () => {
      if (client.destroyed) return;
      const upstream = new Socket();
      upstream.connect(Number(target.port), target.hostname);
      sockets.add(upstream);
      upstream.on('close', () => sockets.delete(upstream));
      upstream.on('error', () => upstream.destroy());
      client.pipe(upstream).pipe(client);
    };
    if (options.delayMs) setTimeout(forward, options.delayMs);
    else forward();
  });
  // port: a given one, so a server that went away comes back where its clients look for it.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = new URL(targetUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return {
    url: url.toString().replace(/\/$/, ''),
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
