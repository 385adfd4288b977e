import {
  assertNoRealNames,
  londonShortDate,
  parseSlot,
  RealNameInEmailError,
  ReminderEmailInput,
  renderReminderEmail,
} from './reminder-email';

const base: ReminderEmailInput = {
  reviewReference: 'DHR-MALDON-2026-001',
  pseudonyms: ['Adult A', 'Adult B'],
  kind: 'imr_due',
  what: 'IMR from Essex Police',
  dueAt: '2026-04-14T16:00:00Z', // 17:00 BST
  slot: 'before-7d',
  link: 'https://dhr.example.gov.uk/reviews/r1/imrs/i1',
  recipientName: 'Sam Author',
};

const render = (overrides: Partial<ReminderEmailInput>) => renderReminderEmail({ ...base, ...overrides });

describe('reminder email subject', () => {
  it.each([
    ['before-7d', '[DHR-MALDON-2026-001] IMR from Essex Police due in 7 days (Tue 14 April 2026)'],
    ['before-1d', '[DHR-MALDON-2026-001] IMR from Essex Police due in 1 day (Tue 14 April 2026)'],
    ['on-day', '[DHR-MALDON-2026-001] IMR from Essex Police due today (Tue 14 April 2026)'],
    ['overdue-3d', '[DHR-MALDON-2026-001] IMR from Essex Police is 3 days overdue (due Tue 14 April 2026)'],
    ['overdue-1d', '[DHR-MALDON-2026-001] IMR from Essex Police is 1 day overdue (due Tue 14 April 2026)'],
    [
      'escalate-7d',
      '[DHR-MALDON-2026-001] Escalation: IMR from Essex Police is 7 days overdue (due Tue 14 April 2026)',
    ],
  ])('%s → %s', (slot, subject) => {
    expect(render({ slot }).subject).toBe(subject);
  });

  it('gives a panel meeting its time and no "due"', () => {
    const email = render({ kind: 'panel_meeting', what: 'Panel meeting 2', dueAt: '2026-04-14T09:30:00Z', slot: 'before-1d' });
    expect(email.subject).toBe('[DHR-MALDON-2026-001] Panel meeting 2 in 1 day (Tue 14 April 2026, 10:30)');
    expect(email.text).toContain('When: Tuesday 14 April 2026 at 10:30 (UK time)');
  });

  it('is grammatical for the plural kind: papers "are" overdue', () => {
    const papers = { kind: 'meeting_papers_due' as const, what: 'Papers for the panel meeting of 2026-04-21', dueAt: '2026-04-14T16:00:00Z' };
    expect(render({ ...papers, slot: 'overdue-4d' }).subject).toBe(
      '[DHR-MALDON-2026-001] Papers for the panel meeting of 2026-04-21 are 4 days overdue (due Tue 14 April 2026)',
    );
    expect(render({ ...papers, slot: 'escalate-7d' }).subject).toMatch(/Escalation: Papers for the panel meeting of 2026-04-21 are 7 days overdue/);
    expect(render({ ...papers, slot: 'before-2d' }).subject).toMatch(/Papers for the panel meeting of 2026-04-21 due in 2 days/);
  });

  it('keeps the subject on one line whatever the input', () => {
    expect(render({ what: 'IMR from\r\nBcc: someone@example.com' }).subject).toBe(
      '[DHR-MALDON-2026-001] IMR from Bcc: someone@example.com due in 7 days (Tue 14 April 2026)',
    );
  });

  it.each(['before-0d', 'overdue', 'later-3d', 'on-day-1', 'before-7h'])('refuses the slot %s', (slot) => {
    expect(() => parseSlot(slot)).toThrow(/reminder slot must be/);
  });
});

describe('dates in Europe/London', () => {
  it.each([
    // the clocks go forward at 01:00 UTC on Sunday 29 March 2026
    ['2026-03-28T23:30:00Z', 'Sat 28 March 2026', 'Saturday 28 March 2026 at 23:30'],
    ['2026-03-29T00:30:00Z', 'Sun 29 March 2026', 'Sunday 29 March 2026 at 00:30'],
    ['2026-03-29T23:30:00Z', 'Mon 30 March 2026', 'Monday 30 March 2026 at 00:30'],
    // and back at 01:00 UTC on Sunday 25 October 2026
    ['2026-10-24T23:30:00Z', 'Sun 25 October 2026', 'Sunday 25 October 2026 at 00:30'],
    ['2026-10-25T23:30:00Z', 'Sun 25 October 2026', 'Sunday 25 October 2026 at 23:30'],
    ['2026-12-31T23:59:00Z', 'Thu 31 December 2026', 'Thursday 31 December 2026 at 23:59'],
  ])('%s is %s in London', (dueAt, short, long) => {
    const email = render({ dueAt });
    expect(email.subject).toContain(`(${short})`);
    expect(email.text).toContain(`Due: ${long} (UK time)`);
  });

  it('an offset instant means the same moment', () => {
    expect(londonShortDate(new Date('2026-06-30T23:30:00-01:00'))).toBe('Wed 1 July 2026');
  });

  it('a deadline at midnight in London shows the date alone in the body', () => {
    expect(render({ dueAt: '2026-06-30T23:00:00Z' }).text).toContain('Due: Wednesday 1 July 2026\n');
  });

  it('refuses a due time that is not an instant', () => {
    expect(() => render({ dueAt: '2026-04-14' })).toThrow(/dueAt must be an ISO instant/);
    expect(() => render({ dueAt: '2026-04-14T10:00:00' })).toThrow(/dueAt must be an ISO instant/);
  });
});

describe('reminder email body', () => {
  it('gives the reference, pseudonyms, what, when and the link in text and HTML', () => {
    const email = render({});
    for (const part of [email.text, email.html]) {
      expect(part).toContain('DHR-MALDON-2026-001');
      expect(part).toContain('Adult A, Adult B');
      expect(part).toContain('IMR from Essex Police');
      expect(part).toContain('Tuesday 14 April 2026 at 17:00 (UK time)');
      expect(part).toContain('https://dhr.example.gov.uk/reviews/r1/imrs/i1');
      expect(part).toContain('Dear Sam Author,');
    }
    expect(email.html).toMatch(/<a href="https:\/\/dhr\.example\.gov\.uk\/reviews\/r1\/imrs\/i1"/);
    expect(email.text).not.toMatch(/<[a-z]/);
  });

  it('escapes markup in the HTML, and leaves the text as written', () => {
    const email = render({
      what: 'IMR <script>alert(1)</script> & "more"',
      pseudonyms: ['<img src=x onerror=alert(1)>'],
      recipientName: 'Pat <b>O\'Neil</b>',
      link: 'https://dhr.example.gov.uk/r?a=1&b="x"',
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(email.html).not.toContain('<b>');
    expect(email.html).toContain('IMR &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;');
    expect(email.html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(email.html).toContain('href="https://dhr.example.gov.uk/r?a=1&amp;b=%22x%22"');
    expect(email.text).toContain('IMR <script>alert(1)</script> & "more"');
  });

  it('says when an escalation is sent, and only then', () => {
    expect(render({ slot: 'escalate-7d' }).text).toContain('escalated to you');
    expect(render({ slot: 'overdue-7d' }).text).not.toContain('escalated');
  });

  it.each(['javascript:alert(1)', '/reviews/r1', 'mailto:x@example.com'])('refuses the link %s', (link) => {
    expect(() => render({ link })).toThrow(/link must be/);
  });

  it('says so when a review has no pseudonyms yet', () => {
    expect(render({ pseudonyms: [] }).text).toContain('People (pseudonyms): none recorded');
  });
});

describe('assertNoRealNames', () => {
  const email = render({});

  it('passes an email holding only the reference and pseudonyms', () => {
    expect(() => assertNoRealNames(email, ['Jane Smith', 'Smith', 'Jane', 'John Doe'])).not.toThrow();
  });

  it.each([
    ['the subject', { what: 'IMR about Jane Smith' }, 'Jane Smith'],
    ['the text, whatever the case', { pseudonyms: ['JANE SMITH'] }, 'jane smith'],
    ['a possessive', { what: "Jane's IMR" }, 'Jane'],
    ['different spacing', { what: 'IMR about Jane\u00a0  Smith' }, 'Jane Smith'],
    ['HTML entities', { what: "IMR about Siobhan O'Brien" }, "O'Brien"],
    ['the link', { link: 'https://dhr.example.gov.uk/search?q=Jane%20Smith' }, 'Jane Smith'],
  ])('finds a real name in %s', (_where, overrides, realName) => {
    const leaking = render(overrides);
    expect(() => assertNoRealNames(leaking, ['Someone Else', realName])).toThrow(RealNameInEmailError);
  });

  it('finds it in the HTML alone', () => {
    const leaking = { ...email, html: `${email.html}<p>Siobhan O&#39;Brien</p>` };
    expect(() => assertNoRealNames(leaking, ["siobhan o'brien"])).toThrow(RealNameInEmailError);
  });

  it('matches whole words only, so a short name does not block ordinary words', () => {
    expect(() => assertNoRealNames(render({ what: 'Annual report' }), ['Ann'])).not.toThrow();
    expect(() => assertNoRealNames(render({ what: 'Report for Ann' }), ['Ann'])).toThrow(RealNameInEmailError);
  });

  it('never puts the name in its message (errors are logged)', () => {
    try {
      assertNoRealNames(render({ what: 'IMR about Jane Smith' }), ['', 'Jane Smith']);
      throw new Error('expected a RealNameInEmailError');
    } catch (error) {
      expect(error).toBeInstanceOf(RealNameInEmailError);
      expect((error as RealNameInEmailError).nameIndex).toBe(1);
      expect((error as Error).message).not.toMatch(/jane|smith/i);
    }
  });

  it('checks a plain string too', () => {
    expect(() => assertNoRealNames('Dear Jane Smith', ['jane smith'])).toThrow(RealNameInEmailError);
  });
});
