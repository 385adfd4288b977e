import type { DeadlineKind } from '../deadlines/rules/kinds';
import type { ReviewEventType } from '../reviews/lifecycle/events';

/**
 * The lifecycle events that are someone's work (not holds, withdrawal or reopening), what each
 * is called as a task, and the clocks that give its due date (the first the review has running).
 */
export const WORK_EVENTS: Readonly<Partial<Record<ReviewEventType, { title: string; clocks: readonly DeadlineKind[] }>>> = {
  DECIDE: { title: 'Decide whether to hold a review', clocks: ['decision_due'] },
  NOTIFY_HOME_OFFICE: { title: 'Tell the Home Office about the decision', clocks: ['home_office_notification'] },
  AGREE_TERMS_OF_REFERENCE: { title: 'Agree the terms of reference', clocks: [] },
  BEGIN_DRAFTING: { title: 'Begin drafting the report', clocks: [] },
  AGREE_REPORT: { title: 'Record that the panel agreed the report', clocks: ['completion_target'] },
  RAG_APPROVE: { title: 'Approve or return the report', clocks: ['rag_sign_off'] },
  SUBMIT_TO_HOME_OFFICE: { title: 'Submit the report to the Home Office', clocks: ['qa_resubmission', 'completion_target'] },
  RECORD_QA_OUTCOME: { title: "Record the Home Office's quality assurance outcome", clocks: [] },
  PUBLISH: { title: 'Publish the report', clocks: [] },
  CLOSE: { title: 'Close the review', clocks: [] },
  RECORD_HOME_OFFICE_AGREEMENT: { title: "Record the Home Office's agreement not to review", clocks: [] },
};

