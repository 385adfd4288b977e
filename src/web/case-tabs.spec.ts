import { applicableTabs, CasePresence, furthest, tabApplies, TAB_RULES } from './case-tabs';
import type { Stage } from '../reviews/lifecycle';

const none: Omit<CasePresence, 'reached'> = { imrs: 0, meetings: 0, recommendations: 0, actions: 0, familyEntries: 0, publication: false };
const at = (reached: Stage[], has: Partial<CasePresence> = {}): CasePresence => ({ ...none, reached, ...has });
const shown = (p: CasePresence) => Object.keys(TAB_RULES).filter((k) => tabApplies(k, p));
const MAIN: Stage[] = ['notified', 'establishing', 'information_gathering', 'drafting', 'rag_sign_off', 'home_office_qa', 'awaiting_publication', 'action_plan_monitoring'];
const upTo = (stage: Stage) => MAIN.slice(0, MAIN.indexOf(stage) + 1);

describe('the tabs that apply to a review', () => {
  it('a new review: only the overview, team, people, documents, scoping and proceedings', () => {
    expect(shown(at(['notified']))).toEqual(['overview', 'team', 'people', 'documents', 'scoping', 'proceedings']);
  });

  it('adds tabs as the review moves on', () => {
    expect(shown(at(upTo('establishing')))).toEqual(['overview', 'team', 'people', 'documents', 'scoping', 'meetings', 'family', 'proceedings']);
    expect(shown(at(upTo('establishing')))).not.toContain('imrs');
    expect(shown(at(upTo('information_gathering')))).toEqual(expect.arrayContaining(['imrs', 'recommendations']));
    expect(shown(at(upTo('information_gathering')))).not.toContain('action-plan');
    expect(shown(at(upTo('information_gathering'), { recommendations: 1 }))).toContain('action-plan');
    expect(shown(at(upTo('drafting')))).not.toContain('sign-off');
    expect(shown(at(upTo('rag_sign_off')))).toContain('sign-off');
    expect(shown(at(upTo('rag_sign_off')))).not.toContain('qa');
    expect(shown(at(upTo('home_office_qa')))).toEqual(expect.arrayContaining(['qa', 'publication']));
    expect(shown(at(upTo('home_office_qa')))).not.toContain('action-plan');
    expect(shown(at(upTo('action_plan_monitoring')))).toEqual(Object.keys(TAB_RULES));
  });

  it('a decision not to review has the family tab, not the panel’s tabs', () => {
    const p = at(['notified', 'not_proceeding']);
    expect(shown(p)).toContain('family');
    expect(shown(p)).not.toContain('meetings');
    expect(shown(p)).not.toContain('imrs');
  });

  it('a record that exists shows its tab whatever the stage', () => {
    const early = ['notified'] as Stage[];
    expect(tabApplies('imrs', at(early, { imrs: 1 }))).toBe(true);
    expect(tabApplies('meetings', at(early, { meetings: 2 }))).toBe(true);
    expect(tabApplies('family', at(early, { familyEntries: 1 }))).toBe(true);
    expect(tabApplies('recommendations', at(early, { recommendations: 1 }))).toBe(true);
    expect(tabApplies('action-plan', at(early, { actions: 1 }))).toBe(true);
    expect(tabApplies('publication', at(early, { publication: true }))).toBe(true);
    // Nothing recorded: none of them.
    for (const key of ['imrs', 'meetings', 'family', 'recommendations', 'action-plan', 'publication', 'sign-off', 'qa']) {
      expect([key, tabApplies(key, at(early))]).toEqual([key, false]);
    }
  });

  it('keeps the sign-off tab after the board returned the report (back in drafting), and the QA tab after a resubmission', () => {
    expect(tabApplies('sign-off', at([...upTo('rag_sign_off'), 'drafting']))).toBe(true);
    expect(tabApplies('qa', at([...upTo('home_office_qa'), 'drafting']))).toBe(true);
  });

  it('a closed or withdrawn review keeps the tabs of the stages it reached', () => {
    expect(furthest([...upTo('action_plan_monitoring'), 'closed'])).toBe(8);
    expect(furthest(['closed'])).toBe(8);
    expect(furthest(['notified', 'withdrawn'])).toBe(0);
    expect(shown(at(['notified', 'withdrawn']))).not.toContain('meetings');
    expect(shown(at([...upTo('drafting'), 'withdrawn']))).toContain('recommendations');
  });

  it("always keeps the current page's tab, and every tab when nothing is known", () => {
    const tabs = [
      { key: 'overview', current: false },
      { key: 'qa', current: true },
      { key: 'sign-off', current: false },
    ];
    expect(applicableTabs(tabs, at(['notified'])).map((t) => t.key)).toEqual(['overview', 'qa']);
    expect(applicableTabs(tabs, null).map((t) => t.key)).toEqual(['overview', 'qa', 'sign-off']);
    // A tab this rule does not know is left to the policy alone.
    expect(tabApplies('something-new', at(['notified']))).toBe(true);
  });
});
