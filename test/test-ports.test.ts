import { RESERVABLE_PORTS } from '../src/infrastructure/local-services/ports';
import { TEST_PORTS, testPort } from './support/ports';

/** The ports tests hand to the processes they start (test/support/ports.ts). */
describe('testPort', () => {
  it('hands out distinct ports, from this worker’s slice, below the service’s own range and the ephemeral one', async () => {
    const worker = Number(process.env.JEST_WORKER_ID ?? '1');
    const first = TEST_PORTS.first + ((worker - 1) % TEST_PORTS.slices) * TEST_PORTS.sliceSize;
    const ports: number[] = [];
    // Handed out one after another with nothing bound in between, as a test does when it picks
    // PORT and LOCAL_REDIS_PORT before starting one process: none is handed out twice.
    for (let i = 0; i < 300; i++) ports.push(await testPort());
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(first);
      expect(port).toBeLessThan(first + TEST_PORTS.sliceSize);
      expect(port).toBeLessThan(RESERVABLE_PORTS.first);
    }
  });
});
