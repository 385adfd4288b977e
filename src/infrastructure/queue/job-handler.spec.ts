import { indexHandlers, JobHandler } from './job-handler';

const handler = (queue: string, job: string) =>
  ({ queue, job, handle: async () => undefined }) as unknown as JobHandler;

describe('indexHandlers', () => {
  it('indexes one handler per declared job', () => {
    const index = indexHandlers({ q: ['a', 'b'] }, [handler('q', 'a'), handler('q', 'b')]);
    expect([...index.get('q')!.keys()].sort()).toEqual(['a', 'b']);
  });

  it('refuses a declared job without a handler', () => {
    expect(() => indexHandlers({ q: ['a', 'b'] }, [handler('q', 'a')])).toThrow('no handler for q/b');
  });

  it('refuses two handlers for one job and a handler for an undeclared job', () => {
    expect(() => indexHandlers({ q: ['a'] }, [handler('q', 'a'), handler('q', 'a')])).toThrow(
      'two handlers for q/a',
    );
    expect(() => indexHandlers({ q: ['a'] }, [handler('q', 'a'), handler('q', 'z')])).toThrow(
      'handler for undeclared job q/z',
    );
  });
});
