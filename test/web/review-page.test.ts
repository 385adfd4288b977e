import request from 'supertest';
import { DEMO_REVIEWS, DemoSeedResult, seedDemo } from '../../src/demo/demo-seed';
import { startTestApp, TestContext } from '../support/test-app';

/** The words a reader sees: no markup (so no attributes), no form inputs, scripts or styles. */
function visibleText(html: string): string {
  return html
    .replace(/<(script|style|textarea)\b[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)))
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

/**
 * The review page an officer can read (issue 14 item 3), on the demo's reviews at every stage:
 * elapsed figures that are right, dates in words, people by name, what happens next.
 */
describe('the review page (demo reviews)', () => {
  let ctx: TestContext;
  let seeded: DemoSeedResult;
  const cookies = new Map<string, string>();
  const csrf = new Map<string, string>();
  const http = () => request(ctx.api.getHttpServer());
  const review = (policeReference: string) => seeded.reviews.find((r) => r.policeReference === policeReference)!;

  async function as(email: string): Promise<string> {
    if (!cookies.has(email)) {
      const res = await http().post('/auth/sessions').send({ email, password: ctx.config.demo.password }).expect(201);
      const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => /^(__Host-)?dhr_session=/.test(c))!;
      cookies.set(email, cookie.split(';')[0]);
      csrf.set(email, res.body.csrfToken);
    }
    return cookies.get(email)!;
  }
  const api = async (path: string, email = 'lead@demo.invalid') => (await http().get(path).set('Cookie', await as(email)).expect(200)).body;
  const page = async (path: string, email = 'lead@demo.invalid') =>
    (await http().get(path).set('Cookie', await as(email)).set('Accept', 'text/html').expect(200)).text;

  beforeAll(async () => {
    ctx = await startTestApp({ defaultActor: null, env: { SIGN_IN_RATE_LIMIT_PER_MINUTE: '1000' } });
    seeded = await seedDemo(ctx.api);
  });
  afterAll(() => ctx?.close());

  // First, while the demo's reviews are at their seeded stages (later tests move some on).
  describe('tabs only for what exists or applies at the stage', () => {
    const tabsOf = (html: string) => {
      const nav = html.slice(html.indexOf('aria-label="Review pages"'), html.indexOf('</nav>', html.indexOf('aria-label="Review pages"')));
      return [...nav.matchAll(/<a [^>]*>([^<]+)<\/a>/g)].map((m) => m[1].trim());
    };

    it('a new review has a few tabs; one at information gathering adds the panel’s; one at sign-off has the RAG sign-off tab', async () => {
      // The new review: nothing of the panel's yet (proceedings are known from the police's notification).
      const notified = review('DEMO-0001').id;
      expect(tabsOf(await page(`/cases/${notified}`))).toEqual(['Overview', 'Team', 'People', 'Scoping', 'Documents', 'Proceedings']);
      const gathering = tabsOf(await page(`/cases/${review('DEMO-0002').id}`));
      expect(gathering).toEqual(expect.arrayContaining(['IMRs', 'Meetings', 'Family', 'Proceedings', 'Recommendations']));
      for (const later of ['Action plan', 'RAG sign-off', 'Home Office QA', 'Publication']) expect(gathering).not.toContain(later);
      const signOff = review('DEMO-0004').id;
      expect(tabsOf(await page(`/cases/${signOff}`))).toContain('RAG sign-off');
      expect(tabsOf(await page(`/cases/${signOff}`, 'chair@demo.invalid'))).toContain('RAG sign-off');
      expect(tabsOf(await page(`/cases/${signOff}`, 'rag@demo.invalid'))).toEqual(expect.arrayContaining(['Overview', 'RAG sign-off']));
      expect(tabsOf(await page(`/cases/${signOff}`))).not.toContain('Home Office QA');
      // A published review has them all (for the CSP lead, who may read them all).
      expect(tabsOf(await page(`/cases/${review('DEMO-0005').id}`))).toEqual(
        expect.arrayContaining(['IMRs', 'Meetings', 'Recommendations', 'Action plan', 'RAG sign-off', 'Home Office QA', 'Publication']),
      );
    });

    it('a page whose tab does not apply yet is still reachable by its address, with its own tab shown as current', async () => {
      const notified = review('DEMO-0001').id;
      const html = await page(`/cases/${notified}/sign-off`);
      expect(tabsOf(html)).toEqual(['Overview', 'Team', 'People', 'Scoping', 'Documents', 'Proceedings', 'RAG sign-off']);
      expect(html).toMatch(/href="\/cases\/[^"]+\/sign-off" aria-current="page"/);
    });
  });


  describe('elapsed', () => {
    it('the board’s sign-off closes on the day the board approved, not the day that was recorded: met, after the days it took', async () => {
      const published = await api(`/reviews/${review('DEMO-0005').id}`);
      const signOff = published.clocks.find((c: { kind: string }) => c.kind === 'rag_sign_off');
      const history = await api(`/reviews/${review('DEMO-0005').id}/history`);
      const agreed = history.find((e: { type: string }) => e.type === 'AGREE_REPORT');
      const approved = history.find((e: { type: string }) => e.type === 'RAG_APPROVE');
      const days = Math.round((Date.parse(approved.payload.approvedAt) - Date.parse(agreed.occurredAt.slice(0, 10))) / 86_400_000);
      expect(days).toBeGreaterThan(0);
      expect(signOff).toMatchObject({ status: 'met', elapsed: { grossDays: days, netDays: days } });
      expect(signOff.closedAt.slice(0, 10)).toBe(approved.payload.approvedAt);
    });

    it('no closed clock says "0 days" because it was recorded after it closed: its elapsed time is not known, and the page says so', async () => {
      for (const r of seeded.reviews) {
        const view = await api(`/reviews/${r.id}`);
        for (const clock of view.clocks as Array<{ title: string; status: string; closedAt: string | null; dueAt: string; elapsed: { grossDays: number } | null }>) {
          // A closed clock that ran some days says so; one recorded after the fact says it is not known.
          if (clock.closedAt && clock.elapsed) expect([clock.title, clock.elapsed.grossDays > 0 || clock.status === 'met']).toEqual([clock.title, true]);
        }
      }
      const held = await api(`/reviews/${review('DEMO-0005').id}`);
      const papers = held.clocks.find((c: { kind: string }) => c.kind === 'meeting_papers_due');
      // Papers not circulated before a meeting that was held: missed on the meeting's day, not today.
      expect(papers.status).toBe('missed');
      expect(papers.closedAt).toBe(held.clocks.find((c: { kind: string }) => c.kind === 'panel_meeting').dueAt);
      expect(papers.elapsed).toBeNull();
      const html = await page(`/cases/${review('DEMO-0005').id}`);
      expect(html).toContain('Not known (recorded after it closed)');
    });

    it('open clocks have run from their start: the statutory ones of a review in information gathering are not 0 days', async () => {
      const gathering = await api(`/reviews/${review(DEMO_REVIEWS[1].policeReference).id}`);
      const completion = gathering.clocks.find((c: { kind: string }) => c.kind === 'completion_target');
      expect(completion.status).toBe('open');
      expect(completion.elapsed.grossDays).toBeGreaterThan(60);
      expect(gathering.elapsed.grossDays).toBeGreaterThan(completion.elapsed.grossDays);
    });
  });

  describe('dates in words', () => {
    const TABS = ['', '/team', '/people', '/documents', '/scoping', '/imrs', '/recommendations', '/action-plan', '/sign-off', '/meetings', '/family', '/proceedings', '/qa', '/publication', '/corrections'];

    it('a refusal’s reason from the lifecycle reads its date in words ("on hold since 1 December 2026"), the API keeps ISO', async () => {
      const notified = review('DEMO-0001').id;
      const lead = await as('lead@demo.invalid');
      const { version } = await api(`/reviews/${notified}`);
      await http()
        .post(`/reviews/${notified}/events`)
        .set('Cookie', lead)
        .set('If-Match', `"${version}"`)
        .set('X-CSRF-Token', csrf.get('lead@demo.invalid')!)
        .send({ type: 'PLACE_ON_HOLD', reason: 'inquest', detail: 'Inquest opened and adjourned (fictional).', occurredAt: '2026-12-01' })
        .expect(200);
      const view = await api(`/reviews/${notified}`);
      const reasons = view.blockedEvents.flatMap((b: { reasons: string[] }) => b.reasons).filter((r: string) => /since/.test(r));
      expect(reasons.length).toBeGreaterThan(0);
      expect(reasons[0]).toContain('2026-12-01');
      const text = visibleText(await page(`/cases/${notified}`));
      expect(text).toContain('since 1 December 2026');
      expect(text).not.toContain('2026-12-01');
    });

    it('no page of any demo review, nor My work or the list, shows an ISO date in its text (as the lead, the chair, the RAG member, an IMR author)', async () => {
      const leaks: string[] = [];
      const scan = async (path: string, email: string) => {
        const res = await http().get(path).set('Cookie', await as(email)).set('Accept', 'text/html');
        if (res.status !== 200) return;
        for (const m of visibleText(res.text).matchAll(/.{0,50}\b\d{4}-\d{2}-\d{2}.{0,30}/g)) leaks.push(`${path} (${email}): ${m[0]}`);
      };
      for (const email of ['lead@demo.invalid', 'chair@demo.invalid', 'rag@demo.invalid', 'imr@demo.invalid']) {
        await scan('/my-work', email);
        await scan('/cases', email);
        for (const r of seeded.reviews) for (const tab of TABS) await scan(`/cases/${r.id}${tab}`, email);
      }
      expect(leaks).toEqual([]);
    });
  });

  describe('people by name', () => {
    it('the history names who recorded each entry by their name, not their email; the API gives both', async () => {
      const published = review('DEMO-0005').id;
      const history = await api(`/reviews/${published}/history`);
      const decided = history.find((e: { type: string }) => e.type === 'DECIDE');
      expect(decided).toMatchObject({ actor: 'lead@demo.invalid', actorName: 'Demo CSP Lead' });
      const html = await page(`/cases/${published}`);
      const table = html.slice(html.indexOf('id="history"'));
      expect(table).toContain('by Demo CSP Lead');
      expect(table).not.toMatch(/@demo\.invalid/);
    });
  });

  describe('what happens next', () => {
    it('each reason a step waits on links to the page where it is put right; steps not yet taken are not listed as done', async () => {
      const gathering = review('DEMO-0002').id;
      const html = await page(`/cases/${gathering}`);
      const next = html.slice(html.indexOf('id="next"'), html.indexOf('id="stages"'));
      const notPossible = next.slice(next.indexOf('Not possible now'), next.indexOf('>Done<'));
      expect(notPossible).not.toContain('Record the decision');
      expect(notPossible).not.toContain('Record that the Home Office was told');
      expect(notPossible).toContain(`<a class="govuk-link app-reason-link" href="/cases/${gathering}/imrs">2 commissioned IMRs are neither received nor waived</a>`);
      expect(notPossible).toContain(`<a class="govuk-link app-reason-link" href="/cases/${gathering}/meetings">No panel meeting has considered the IMRs yet</a>`);
      expect(next).not.toContain('>Done<');
    });

    it('the Home Office told, the review establishing: "Home Office told of the decision on 3 December 2026" is done, not refused', async () => {
      const notified = review('DEMO-0001').id;
      const send = async (body: Record<string, unknown>) => {
        const { version } = await api(`/reviews/${notified}`);
        await http()
          .post(`/reviews/${notified}/events`)
          .set('Cookie', await as('lead@demo.invalid'))
          .set('X-CSRF-Token', csrf.get('lead@demo.invalid')!)
          .set('If-Match', `"${version}"`)
          .send(body)
          .expect(200);
      };
      // (On hold since the dates test above, when it ran.)
      if ((await api(`/reviews/${notified}`)).onHold) await send({ type: 'RESUME' });
      await send({ type: 'DECIDE', outcome: 'proceed', rationale: 'The criteria are met (fictional).', decidedAt: '2026-12-02' });
      await send({ type: 'NOTIFY_HOME_OFFICE', sentAt: '2026-12-03' });
      const view = await api(`/reviews/${notified}`);
      expect(view.blockedEvents.map((b: { type: string }) => b.type)).toContain('NOTIFY_HOME_OFFICE');
      const html = await page(`/cases/${notified}`);
      const next = html.slice(html.indexOf('id="next"'), html.indexOf('id="stages"'));
      expect(visibleText(next)).toContain('Done Home Office told of the decision on 3 December 2026');
      expect(next.slice(0, next.indexOf('>Done<'))).not.toContain('Record that the Home Office was told');
    });
  });

  describe('history by kind and page', () => {
    it('shows 20 entries a page with GOV.UK pagination, filters by kind, and refuses an unknown kind or page naming the field', async () => {
      const signOff = review('DEMO-0004').id;
      const all = await api(`/reviews/${signOff}/history`);
      expect(all.length).toBeGreaterThan(20);
      const first = await page(`/cases/${signOff}`);
      const rows = (html: string) => (html.slice(html.indexOf('id="history"')).match(/<tr class="govuk-table__row">/g) ?? []).length - 1;
      expect(rows(first)).toBe(20);
      expect(first).toContain('class="govuk-pagination"');
      expect(first).toContain(`href="/cases/${signOff}?page=2#history"`);
      const imrs = await page(`/cases/${signOff}?history=imrs`);
      const imrCount = all.filter((e: { type: string }) => /^(IMR_|SCOPING_|RECORDS_SECURED)/.test(e.type)).length;
      expect(imrCount).toBeGreaterThan(0);
      expect(rows(imrs)).toBe(Math.min(20, imrCount));
      expect(visibleText(imrs.slice(imrs.indexOf('id="history"')))).toContain(`${imrCount} entries`);
      const bad = await http().get(`/cases/${signOff}?history=bogus`).set('Cookie', await as('lead@demo.invalid')).set('Accept', 'text/html').expect(400);
      expect(visibleText(bad.text)).toContain('history: must be one of all, stages');
      const badPage = await http().get(`/cases/${signOff}?page=0`).set('Cookie', await as('lead@demo.invalid')).set('Accept', 'text/html').expect(400);
      expect(visibleText(badPage.text)).toContain('page: must be a whole number from 1');
    });
  });
});
