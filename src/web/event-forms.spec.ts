import { z } from 'zod';
import { REVIEW_EVENT_SCHEMAS, REVIEW_EVENT_TYPES, STAGES } from '../reviews/lifecycle';
import { answerRows, CONFIRMED_EVENTS, confirmHidden, EVENT_FORMS } from './event-forms';
import { EVENT_ACTION_LABELS, STAGE_LABELS } from './labels';

/** The object schema inside refinements (DECIDE and others are refined objects). */
function shapeOf(schema: z.ZodTypeAny): Record<string, z.ZodTypeAny> {
  let current: z.ZodTypeAny = schema;
  while (current instanceof z.ZodEffects) current = current.innerType();
  return (current as z.ZodObject<z.ZodRawShape>).shape;
}

function enumValues(schema: z.ZodTypeAny): string[] | null {
  let current: z.ZodTypeAny = schema;
  while (current instanceof z.ZodOptional || current instanceof z.ZodEffects) {
    current = current instanceof z.ZodOptional ? current.unwrap() : current.innerType();
  }
  return current instanceof z.ZodEnum ? [...(current.options as string[])] : null;
}

describe('the lifecycle event forms', () => {
  it.each(REVIEW_EVENT_TYPES)('%s has exactly the fields its schema takes, optional where the schema says', (type) => {
    const shape = shapeOf(REVIEW_EVENT_SCHEMAS[type]);
    const fields = EVENT_FORMS[type];
    expect(fields.map((f) => f.name).sort()).toEqual(Object.keys(shape).filter((k) => k !== 'type').sort());
    for (const field of fields) {
      expect({ field: field.name, optional: !!field.optional }).toEqual({ field: field.name, optional: shape[field.name].isOptional() });
      const values = enumValues(shape[field.name]);
      if (values) expect(field.options?.map((o) => o.value)).toEqual(values);
    }
  });

  it('has words for every stage and event', () => {
    expect(Object.keys(STAGE_LABELS).sort()).toEqual([...STAGES].sort());
    expect(Object.keys(EVENT_ACTION_LABELS).sort()).toEqual([...REVIEW_EVENT_TYPES].sort());
  });
});

describe('confirmation of steps that cannot be undone', () => {
  it('asks for agreeing the report, the approval, publication and closing, and nothing else', () => {
    expect(Object.keys(CONFIRMED_EVENTS).sort()).toEqual(['AGREE_REPORT', 'CLOSE', 'PUBLISH', 'RAG_APPROVE']);
  });

  it('shows the answers as entered: dates in words, an empty "today" date as today, the rest as typed', () => {
    const format = (iso: string) => `[${iso}]`;
    const publish = { type: 'PUBLISH', 'publishedAt-day': '6', 'publishedAt-month': '7', 'publishedAt-year': '2026', url: 'https://example.org/dhr' };
    expect(answerRows(EVENT_FORMS.PUBLISH, publish, format, '2026-07-06').map((r) => [r.key.text, r.value.text])).toEqual([
      ['Date published', '[2026-07-06]'],
      ['Web address of the published report', 'https://example.org/dhr'],
    ]);
    expect(answerRows(EVENT_FORMS.CLOSE, {}, format, '2026-07-09')).toEqual([{ key: { text: 'Date the review closed' }, value: { text: 'Today, [2026-07-09]' } }]);
  });

  it('posts the fields again without the page’s CSRF token or an earlier confirm', () => {
    expect(confirmHidden({ _csrf: 't', confirm: 'yes', type: 'CLOSE', version: '4' })).toEqual({ type: 'CLOSE', version: '4' });
  });
});
