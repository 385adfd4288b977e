import { DigestEmailInput, DigestItem, digestView, renderDigestEmail, slotLabel } from './digest-email';
import { assertNoRealNames, RealNameInEmailError } from './reminder-email';

const imr: DigestItem = {
  reviewReference: 'DHR-MALDON-2026-001',
  pseudonyms: ['Adult A', 'Adult B'],
  kind: 'imr_due',
  what: 'IMR from Essex Police',
  dueAt: '2026-03-24T17:00:00Z',
  slots: ['before-7d', 'before-14d'],
  link: 'https://dhr.example.gov.uk/reviews/r1',
};
const base: DigestEmailInput = {
  recipientName: 'Sam Author',
  sentAt: '2026-03-18T08:00:00Z', // 08:00 GMT, Wednesday
  items: [imr],
};
const render = (overrides: Partial<DigestEmailInput>) => renderDigestEmail({ ...base, ...overrides });

describe('daily digest email', () => {
  it('lists a deadline once with every reminder held for it, counted from the digest date', () => {
    const email = render({});
    expect(email.subject).toBe('DHR daily reminders for Wed 18 March 2026: 1 item');
    expect(email.text).toContain('Dear Sam Author,');
    expect(email.text).toContain('1. DHR-MALDON-2026-001: IMR from Essex Police (individual management review)');
    expect(email.text).toContain('People (pseudonyms): Adult A, Adult B');
    expect(email.text).toContain('Due: Tuesday 24 March 2026 at 17:00 (UK time) (in 6 days)');
    expect(email.text).toContain('Reminders: 14 days before; 7 days before');
    expect(email.text).toContain('Open it: https://dhr.example.gov.uk/reviews/r1');
    expect(email.html).toContain('<a href="https://dhr.example.gov.uk/reviews/r1"');
    expect(email.html).toContain('Reminders</th><td style="padding: 2px 0;">14 days before; 7 days before</td>');
  });

  it('puts the soonest due first, marks overdue ones and counts them in the subject', () => {
    const view = digestView({
      ...base,
      items: [
        imr,
        { ...imr, reviewReference: 'DHR-MALDON-2026-002', what: 'IMR from Mid Essex NHS', dueAt: '2026-03-18T17:00:00Z', slots: ['before-1d'] },
        { ...imr, reviewReference: 'DHR-BRAINTREE-2025-004', kind: 'action_target', what: 'Action 3', dueAt: '2026-03-15T00:00:00Z', slots: ['on-day'] },
      ],
    });
    expect(view.subject).toBe('DHR daily reminders for Wed 18 March 2026: 3 items, 1 overdue');
    expect(view.items.map((i) => [i.reviewReference, i.position, i.overdue])).toEqual([
      ['DHR-BRAINTREE-2025-004', '3 days overdue', true],
      ['DHR-MALDON-2026-002', 'today', false],
      ['DHR-MALDON-2026-001', 'in 6 days', false],
    ]);
    expect(view.items[0].dueLong).toBe('Sunday 15 March 2026');
  });

  it('gives a meeting its time, "When", and no "overdue"', () => {
    const meeting: DigestItem = { ...imr, kind: 'panel_meeting', what: 'Panel meeting 2', dueAt: '2026-03-16T10:30:00Z', slots: ['on-day'] };
    const [item] = digestView({ ...base, items: [meeting] }).items;
    expect(item).toMatchObject({ whenLabel: 'When', dueLong: 'Monday 16 March 2026 at 10:30 (UK time)', position: 'was 2 days ago', overdue: false });
  });

  it('dates the digest in London across the change to summer time', () => {
    // 08:00 BST on Sunday 29 March 2026 is 07:00Z; 23:30Z on the Saturday is still Saturday.
    expect(digestView({ ...base, sentAt: '2026-03-29T07:00:00Z' }).dateLong).toBe('Sunday 29 March 2026');
    expect(digestView({ ...base, sentAt: '2026-03-28T23:30:00Z' }).dateLong).toBe('Saturday 28 March 2026');
    const after = { ...imr, dueAt: '2026-04-02T16:00:00Z' }; // 17:00 BST
    const [item] = digestView({ ...base, sentAt: '2026-03-29T07:00:00Z', items: [after] }).items;
    expect(item).toMatchObject({ dueLong: 'Thursday 2 April 2026 at 17:00 (UK time)', position: 'in 4 days' });
  });

  it('escapes what it is given in the HTML and keeps each field on one line', () => {
    const email = render({ items: [{ ...imr, what: 'IMR <b>from</b>\r\nBcc: x@example.com' }] });
    expect(email.html).toContain('IMR &lt;b&gt;from&lt;/b&gt; Bcc: x@example.com');
    expect(email.html).not.toContain('<b>from</b>');
    expect(email.text).toContain('IMR <b>from</b> Bcc: x@example.com');
  });

  it('names people by pseudonym only, and assertNoRealNames catches a real name that slipped in', () => {
    const email = render({ items: [{ ...imr, what: "IMR about Joanna Realname's contact" }] });
    expect(() => assertNoRealNames(email, ['Adult', 'Joanna Realname'])).toThrow(RealNameInEmailError);
    expect(() => assertNoRealNames(render({}), ['Joanna Realname', 'Realname'])).not.toThrow();
  });

  it('labels each kind of reminder slot', () => {
    expect(['before-1d', 'on-day', 'overdue-3d', 'escalate-14d'].map(slotLabel)).toEqual([
      '1 day before',
      'on the day',
      '3 days overdue',
      'escalation, 14 days overdue',
    ]);
  });

  it('refuses an empty digest, an item without reminders, a bad slot or a relative link', () => {
    expect(() => render({ items: [] })).toThrow(/at least one item/);
    expect(() => render({ items: [{ ...imr, slots: [] }] })).toThrow(/at least one reminder slot/);
    expect(() => render({ items: [{ ...imr, slots: ['soon'] }] })).toThrow(/reminder slot must be/);
    expect(() => render({ items: [{ ...imr, link: '/reviews/r1' }] })).toThrow(/absolute URL/);
  });
});
