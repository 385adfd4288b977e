import { cappedBackoff } from './retry';

describe('cappedBackoff', () => {
  const settings = { retryFirstMs: 30_000, retryMaxMs: 1_800_000 } as Parameters<typeof cappedBackoff>[0];

  it('doubles from the first wait up to the cap, and stays there', () => {
    const wait = cappedBackoff(settings, () => 0);
    expect([1, 2, 3, 4, 5, 6, 7, 8, 100, 100_000].map(wait)).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000, 1_800_000, 1_800_000,
    ]);
  });

  it('takes up to a tenth off at random, never more', () => {
    expect(cappedBackoff(settings, () => 0.999999)(1)).toBe(27_000);
    expect(cappedBackoff(settings, () => 0.5)(7)).toBe(1_710_000);
  });

  it('a two-hour SMTP outage is ten or so attempts, not the six that used to give up after 15 minutes', () => {
    const wait = cappedBackoff(settings, () => 0);
    let elapsed = 0;
    let attempts = 0;
    while (elapsed < 2 * 3600_000) elapsed += wait(++attempts);
    expect(attempts).toBeGreaterThan(6);
    expect(attempts).toBeLessThan(15);
  });
});
