import { canListen, RESERVABLE_PORTS } from '../../src/infrastructure/local-services/ports';

/**
 * Ports the tests hand to the processes they start (PORT, LOCAL_REDIS_PORT, WORKER_HEALTH_PORT…).
 *
 * A port chosen here is only free until the process started with it binds it, seconds later.
 * Three things could take it in between, and each has failed a CI run:
 * - listen(0) anywhere on the machine, or an outgoing connection: those use the ephemeral range
 *   (Linux 32768–60999), so nothing here is chosen from it;
 * - the started service's own choice of a port for the redis-server or PostgreSQL it runs
 *   (src/infrastructure/local-services/ports.ts, 20000–32767): nothing here is chosen from that
 *   range either (seen: EADDRINUSE on the API's port after its local redis-server started);
 * - another Jest worker starting services at the same moment: each worker has a slice of its
 *   own, and within a test file no port is handed out twice.
 */
export const TEST_PORTS = { first: 10000, sliceSize: 1000, slices: 10 } as const;

const handedOut = new Set<number>();

export async function testPort(): Promise<number> {
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const first = TEST_PORTS.first + ((Math.max(worker, 1) - 1) % TEST_PORTS.slices) * TEST_PORTS.sliceSize;
  for (let attempt = 0; attempt < 2 * TEST_PORTS.sliceSize; attempt++) {
    const port = first + Math.floor(Math.random() * TEST_PORTS.sliceSize);
    if (handedOut.has(port) || !(await canListen(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free test port between ${first} and ${first + TEST_PORTS.sliceSize - 1}`);
}

// The slices must stay below the ranges the service itself picks from.
if (TEST_PORTS.first + TEST_PORTS.slices * TEST_PORTS.sliceSize > RESERVABLE_PORTS.first) {
  throw new Error('test ports overlap the service’s own port range');
}
