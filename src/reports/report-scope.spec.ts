import { ConflictException } from '@nestjs/common';
import { refuseRealNames, textsOf } from './report-scope';

describe('the reports’ real-name check', () => {
  const refuses = (shown: unknown) => {
    try {
      refuseRealNames(shown, ['Marion Quellington'], 'DHR-1: a real name');
      return false;
    } catch (error) {
      if (error instanceof ConflictException) return true;
      throw error;
    }
  };

  it('finds a name in any string of the report’s data, whatever the space, line break or tab between its words', () => {
    for (const between of [' ', '  ', '\n', '\r\n', '\t', '\u00a0']) {
      expect({ between, refused: refuses({ rows: [{ actions: [{ description: `the case of marion${between}QUELLINGTON` }] }] }) }).toEqual({ between, refused: true });
    }
    expect(refuses('Marion Quellington')).toBe(true);
  });

  it('gives a 409 carrying the message, and passes a report without the name (nor a part of a word)', () => {
    expect(() => refuseRealNames({ text: 'Marion Quellington' }, ['Marion Quellington'], 'DHR-1: a real name')).toThrow(
      expect.objectContaining({ response: { statusCode: 409, error: 'Conflict', message: 'DHR-1: a real name' } }),
    );
    expect(refuses({ text: 'Adult A', list: ['Marion', 'Quellington'], at: new Date('2026-01-01'), n: 3, none: null })).toBe(false);
    expect(refuses({ text: 'Marion Quellingtonshire' })).toBe(false);
  });

  it('reads every string at any depth, and nothing else', () => {
    expect(textsOf({ a: 'one', b: ['two', { c: 'three', d: 4, e: null, f: new Date(0) }], g: true })).toEqual(['one', 'two', 'three']);
  });
});
