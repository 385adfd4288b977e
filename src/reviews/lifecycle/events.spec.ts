import {
  businessDate,
  effectiveInstant,
  FACT_DATE_FIELDS,
  isInFuture,
  parseReviewEvent,
  REVIEW_EVENT_SCHEMAS,
  REVIEW_EVENT_TYPES,
  WHEN_FIELD,
  whenOf,
} from './events';
import { SAMPLE_PAYLOADS } from './test-fixtures';

const NOW = new Date('2026-05-20T12:00:00.000Z');

describe('parseReviewEvent', () => {
  it('has one strict schema per event type', () => {
    expect(Object.keys(REVIEW_EVENT_SCHEMAS).sort()).toEqual([...REVIEW_EVENT_TYPES].sort());
    expect(Object.keys(FACT_DATE_FIELDS).sort()).toEqual([...REVIEW_EVENT_TYPES].sort());
  });

  it.each(REVIEW_EVENT_TYPES.map((t) => [t]))('accepts a valid %s', (type) => {
    expect(parseReviewEvent(SAMPLE_PAYLOADS[type], NOW)).toEqual({ ok: true, event: SAMPLE_PAYLOADS[type] });
  });

  it('trims text', () => {
    const r = parseReviewEvent({ type: 'WITHDRAW', reason: '  Duplicate  ' }, NOW);
    expect(r).toEqual({ ok: true, event: { type: 'WITHDRAW', reason: 'Duplicate' } });
  });

  it('names the type when it is unknown or missing', () => {
    expect(parseReviewEvent({ type: 'DELETE_EVERYTHING' }, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'type', message: expect.stringContaining('must be one of: DECIDE,') }],
    });
    expect(parseReviewEvent({ outcome: 'proceed' }, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'type', message: 'is required' }],
    });
    expect(parseReviewEvent({ type: 7 }, NOW)).toMatchObject({ ok: false, errors: [{ field: 'type' }] });
  });

  it.each([[null], [[]], ['DECIDE'], [42]])('refuses a body that is not an object: %p', (body) => {
    expect(parseReviewEvent(body, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'body', message: 'must be a JSON object with a type' }],
    });
  });

  it('names a missing field', () => {
    expect(parseReviewEvent({ type: 'DECIDE', outcome: 'proceed', decidedAt: '2026-05-01' }, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'rationale', message: 'is required' }],
    });
  });

  it('names an unknown extra field', () => {
    expect(parseReviewEvent({ type: 'CLOSE', force: true }, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'force', message: 'is not a known field' }],
    });
    // The server sets at and facts; a client may not.
    const r = parseReviewEvent({ type: 'CLOSE', at: '2026-01-01T00:00:00Z', facts: {} }, NOW);
    expect(r.ok ? [] : r.errors.map((e) => e.field).sort()).toEqual(['at', 'facts']);
  });

  it('names a bad enum value', () => {
    expect(parseReviewEvent({ ...SAMPLE_PAYLOADS.DECIDE, outcome: 'maybe' }, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'outcome', message: 'must be one of: proceed, not_proceed, joint_review' }],
    });
    expect(parseReviewEvent({ ...SAMPLE_PAYLOADS.PLACE_ON_HOLD, reason: 'holiday' }, NOW)).toMatchObject({
      ok: false,
      errors: [{ field: 'reason' }],
    });
  });

  it.each([
    ['DECIDE', 'decidedAt', '2026-05-21'],
    ['NOTIFY_HOME_OFFICE', 'sentAt', '2026-05-20T13:00:00Z'],
    ['DIRECT_REVIEW', 'directedAt', '2027-01-01'],
    ['AGREE_TERMS_OF_REFERENCE', 'agreedAt', '2026-06-01'],
    ['RAG_APPROVE', 'approvedAt', '2026-05-21'],
    ['SUBMIT_TO_HOME_OFFICE', 'submittedAt', '2026-05-21'],
    ['RECORD_QA_OUTCOME', 'letterDate', '2026-05-21'],
    ['PUBLISH', 'publishedAt', '2026-05-21'],
  ] as const)('refuses a future %s.%s', (type, field, value) => {
    expect(parseReviewEvent({ ...SAMPLE_PAYLOADS[type], [field]: value }, NOW)).toEqual({
      ok: false,
      errors: [{ field, message: 'must not be in the future' }],
    });
  });

  // The README: occurredAt and approvedAt default to now when left out; every other event's date must be given.
  it.each(REVIEW_EVENT_TYPES.map((t) => [t, WHEN_FIELD[t]]))('%s without its date (%s): now, if it may be left out; else refused, naming the field', (type, field) => {
    const { [field]: _left, ...without } = SAMPLE_PAYLOADS[type] as Record<string, unknown>;
    const parsed = parseReviewEvent(without, NOW);
    if (field === 'occurredAt' || field === 'approvedAt') {
      expect(parsed.ok).toBe(true);
      expect(parsed.ok && effectiveInstant(whenOf(parsed.event), NOW)).toBe(NOW.toISOString());
    } else {
      expect(parsed).toMatchObject({ ok: false, errors: [{ field }] });
    }
  });

  it('allows a future expectedEnd for a hold (it is a forecast, not a fact)', () => {
    expect(parseReviewEvent({ ...SAMPLE_PAYLOADS.PLACE_ON_HOLD, expectedEnd: '2030-01-01' }, NOW).ok).toBe(true);
  });

  it('gives the London date of every instant across both clock changes, as the zone rules read afresh do', () => {
    const fresh = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' });
    // Every 7 minutes from 27 March to 1 April and from 23 to 28 October 2026 (the clocks go forward on 29 March and back on 25 October), and a scatter over years.
    const instants: number[] = [];
    for (const [from, to] of [['2026-03-27T00:00:00Z', '2026-04-01T00:00:00Z'], ['2026-10-23T00:00:00Z', '2026-10-28T00:00:00Z']]) {
      for (let t = Date.parse(from); t < Date.parse(to); t += 7 * 60_000) instants.push(t);
    }
    for (let t = Date.parse('2015-01-01T00:00:00Z'); t < Date.parse('2035-01-01T00:00:00Z'); t += 86_400_000 * 3 + 3_599_999) instants.push(t);
    const wrong = instants.filter((t) => businessDate(new Date(t)) !== fresh.format(new Date(t)));
    expect(wrong.map((t) => new Date(t).toISOString())).toEqual([]);
    expect(businessDate(new Date('2026-10-25T00:59:59Z'))).toBe('2026-10-25');
    expect(businessDate(new Date('2026-03-28T23:59:59Z'))).toBe('2026-03-28');
    expect(() => businessDate(new Date('not a date'))).toThrow(RangeError);
  });

  it('judges dates in London time and tolerates small clock drift for instants', () => {
    // 23:30Z on 31 May is already 1 June in London (BST).
    const lateEvening = new Date('2026-05-31T23:30:00Z');
    expect(businessDate(lateEvening)).toBe('2026-06-01');
    expect(isInFuture('2026-06-01', lateEvening)).toBe(false);
    expect(isInFuture('2026-06-02', lateEvening)).toBe(true);
    expect(isInFuture('2026-05-20T12:04:00Z', NOW)).toBe(false);
    expect(isInFuture('2026-05-20T12:06:00Z', NOW)).toBe(true);
  });

  it.each([
    ['decidedAt', '2026-02-30'],
    ['decidedAt', '20-05-2026'],
    ['decidedAt', '2026-05-01T10:00:00Z'],
    ['decidedAt', ''],
  ])('refuses a malformed ISO date %s=%p', (field, value) => {
    expect(parseReviewEvent({ ...SAMPLE_PAYLOADS.DECIDE, [field]: value }, NOW)).toMatchObject({
      ok: false,
      errors: [{ field }],
    });
  });

  it('accepts a date-time with offset where a date or date-time is allowed, and refuses one without', () => {
    expect(parseReviewEvent({ type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-05-19T09:30:00+01:00' }, NOW).ok).toBe(true);
    expect(parseReviewEvent({ type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-05-19T09:30:00' }, NOW)).toMatchObject({
      ok: false,
      errors: [{ field: 'sentAt' }],
    });
  });

  it('requires jointWith for a joint review, and only then', () => {
    expect(parseReviewEvent({ ...SAMPLE_PAYLOADS.DECIDE, outcome: 'joint_review' }, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'jointWith', message: expect.stringContaining('is required when outcome is joint_review') }],
    });
    expect(parseReviewEvent({ ...SAMPLE_PAYLOADS.DECIDE, jointWith: 'SAR 12' }, NOW)).toMatchObject({
      ok: false,
      errors: [{ field: 'jointWith' }],
    });
    expect(
      parseReviewEvent({ ...SAMPLE_PAYLOADS.DECIDE, outcome: 'joint_review', jointWith: 'SAR 12' }, NOW).ok,
    ).toBe(true);
  });

  it('bounds text and requires non-blank text', () => {
    expect(parseReviewEvent({ ...SAMPLE_PAYLOADS.DECIDE, rationale: 'x'.repeat(10_001) }, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'rationale', message: 'must be at most 10000 characters' }],
    });
    expect(parseReviewEvent({ ...SAMPLE_PAYLOADS.DECIDE, rationale: 'x'.repeat(10_000) }, NOW).ok).toBe(true);
    expect(parseReviewEvent({ type: 'RAG_RETURN', comments: '   ' }, NOW)).toEqual({
      ok: false,
      errors: [{ field: 'comments', message: 'must not be empty' }],
    });
    expect(parseReviewEvent({ type: 'WITHDRAW', reason: '' }, NOW)).toMatchObject({ ok: false, errors: [{ field: 'reason' }] });
  });

  it.each([['javascript:alert(1)'], ['ftp://example.org/report.pdf'], ['not a url'], ['https://' + 'a'.repeat(2050)]])(
    'refuses a publication url %p',
    (url) => {
      expect(parseReviewEvent({ ...SAMPLE_PAYLOADS.PUBLISH, url }, NOW)).toMatchObject({
        ok: false,
        errors: [{ field: 'url' }],
      });
    },
  );

  it('refuses a scope that ends before it starts', () => {
    expect(
      parseReviewEvent({ ...SAMPLE_PAYLOADS.AGREE_TERMS_OF_REFERENCE, scopeStart: '2025-01-01', scopeEnd: '2024-01-01' }, NOW),
    ).toEqual({ ok: false, errors: [{ field: 'scopeEnd', message: 'must not be before scopeStart' }] });
  });

  it('reports several errors at once', () => {
    const r = parseReviewEvent({ type: 'RECORD_QA_OUTCOME', outcome: 'fine', letterDate: 'soon', extra: 1 }, NOW);
    expect(r.ok ? [] : r.errors.map((e) => e.field).sort()).toEqual(['extra', 'letterDate', 'outcome']);
  });
});
