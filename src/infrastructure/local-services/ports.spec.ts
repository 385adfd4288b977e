import { createServer, Server } from 'node:net';
import { canListen, freePort, RESERVABLE_PORTS } from './ports';

function listenOn(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe('freePort', () => {
  it('hands out ports below the ephemeral ranges that can be listened on', async () => {
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(RESERVABLE_PORTS.first);
      expect(port).toBeLessThanOrEqual(RESERVABLE_PORTS.last);
      expect(port).toBeLessThan(32768);
    }
    const server = await listenOn(ports[0]);
    server.close();
  });

  it('never hands out a port something already listens on', async () => {
    const taken = await freePort();
    const server = await listenOn(taken);
    try {
      expect(await canListen(taken)).toBe(false);
      const spy = jest.spyOn(Math, 'random').mockReturnValueOnce(
        (taken - RESERVABLE_PORTS.first + 0.5) / (RESERVABLE_PORTS.last - RESERVABLE_PORTS.first + 1),
      );
      const port = await freePort();
      spy.mockRestore();
      expect(port).not.toBe(taken);
    } finally {
      server.close();
    }
  });
});
