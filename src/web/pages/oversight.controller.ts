import { OversightService } from '../../casefile/oversight/oversight.service';
import type { ReviewEventType } from '../../reviews/lifecycle/events';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import type { AccessContext } from '../../access/access.service';
import { may, mayApply, whoMayApply } from '../case-pages';
import { EVENT_FORMS } from '../event-forms';
import { formView } from '../forms';
import { EVENT_ACTION_LABELS, QA_OUTCOME_LABELS } from '../labels';
import { FormPages, PageController, TabRoute } from './form-page';
import type { TabContext } from './form-page';
import { noticeFrom } from './more-page-support';
import { accessOf } from './page-support';

const QA_EVENTS: readonly ReviewEventType[] = ['SUBMIT_TO_HOME_OFFICE', 'RECORD_QA_OUTCOME'];

/**
 * The lifecycle events of a page as forms (posted to the review's events route, which applies
 * them and shows any refusal), the ones the lifecycle refuses now with its reasons, and the
 * ones for someone else. Which are allowed is the lifecycle's answer (allowedEvents).
 */
export function lifecycleForms(access: AccessContext, review: ReviewView, types: readonly ReviewEventType[]) {
  const forms = review.allowedEvents
    .filter((type) => types.includes(type) && mayApply(access, type))
    .map((type) => ({ type, label: EVENT_ACTION_LABELS[type], fields: formView(EVENT_FORMS[type], { idPrefix: `${type}-` }).fields }));
  const blocked = review.blockedEvents
    .filter((b) => types.includes(b.type) && mayApply(access, b.type))
    .map((b) => ({ ...b, label: EVENT_ACTION_LABELS[b.type] }));
  const forOthers = review.allowedEvents
    .filter((type) => types.includes(type) && !mayApply(access, type))
    .map((type) => ({ label: EVENT_ACTION_LABELS[type], who: whoMayApply(type) }));
  return { eventForms: forms, blocked, forOthers };
}

/**
 * Home Office quality assurance: each submission and the outcome of its round (read from the
 * review's history by OversightService), and, for whoever may apply them, the forms of the
 * SUBMIT_TO_HOME_OFFICE and RECORD_QA_OUTCOME lifecycle events.
 */
@PageController('cases/:reviewId/qa')
export class QaPagesController {
  constructor(private readonly oversight: OversightService, readonly forms: FormPages) {}

  @TabRoute('', { template: 'pages/cases/qa.njk', key: 'qa', heading: 'Home Office quality assurance' })
  async rounds(review: ReviewView, { req, params, query }: TabContext) {
    const rounds = (await this.oversight.qaRounds(params.reviewId)).map((r) => ({
      ...r,
      outcomeText: r.outcome ? (QA_OUTCOME_LABELS[r.outcome as keyof typeof QA_OUTCOME_LABELS] ?? r.outcome) : null,
    }));
    const clocks = review.clocks.filter((c) => c.kind === 'qa_resubmission' || c.kind === 'completion_target');
    // The checklist and the pack: only for those who may get the pack (not the RAG, who would be refused).
    const mayPack = may(accessOf(req), 'homeOfficePack.read');
    return { rounds: [...rounds].reverse(), clocks, mayPack, ...lifecycleForms(accessOf(req), review, QA_EVENTS), notice: noticeFrom(query.done) };
  }
}
