/**
 * Facts about a review's case file, computed by the server (from the
 * database) at the moment an event is applied or the lifecycle is described.
 *
 * The lifecycle machine never stores these: they describe the case file
 * (chair, panel, IMRs, drafts, actions...), which is owned elsewhere. The
 * machine only records what the lifecycle itself decides (decision, Home
 * Office notification, board approval, QA rounds, publication, holds,
 * withdrawal). Every event carries a fresh copy in `event.facts`.
 *
 * Plain numbers and booleans only, so the guards stay pure and testable.
 */
export interface ReviewFacts {
  /** An independent chair has been appointed. */
  readonly chairAppointed: boolean;
  /** Panel members currently appointed (independence declared). */
  readonly panelMemberCount: number;
  /** IMRs and short reports commissioned (requested) from agencies. */
  readonly imrsCommissioned: number;
  /** Commissioned IMRs/short reports neither received nor waived with a reason. */
  readonly imrsOutstanding: number;
  /** Panel meetings held whose minutes record that IMRs were considered. */
  readonly meetingsConsideringImrs: number;
  /** A draft overview report has been uploaded. */
  readonly draftOverviewReport: boolean;
  /** A draft executive summary has been uploaded. */
  readonly draftExecutiveSummary: boolean;
  /**
   * The board (RAG) has not returned the report, or a new version of the overview report was
   * uploaded after its latest return. (Absent in facts stored before it existed: taken as met.)
   */
  readonly overviewReportRevisedSinceReturn: boolean;
  /** Recommendations recorded on the review. */
  readonly recommendationsCount: number;
  /** A reason for making no recommendations has been recorded. */
  readonly noRecommendationsReason: boolean;
  /** The family has been offered the draft report to review. */
  readonly familyOfferedDraft: boolean;
  /** Criminal proceedings (investigation, charge, trial, appeal) are live. */
  readonly activeCriminalProceedings: boolean;
  /** Someone has confirmed the report to be published is anonymised. */
  readonly anonymisationConfirmed: boolean;
  /** The family has been told of the publication (date and where). */
  readonly familyToldOfPublication: boolean;
  /** Actions in the action plan. */
  readonly actionsTotal: number;
  /** Actions not yet complete with evidence. */
  readonly actionsIncomplete: number;
}

/** Facts of a case file with nothing in it (a newly notified review). */
export const EMPTY_FACTS: ReviewFacts = Object.freeze({
  chairAppointed: false,
  panelMemberCount: 0,
  imrsCommissioned: 0,
  imrsOutstanding: 0,
  meetingsConsideringImrs: 0,
  draftOverviewReport: false,
  draftExecutiveSummary: false,
  overviewReportRevisedSinceReturn: true,
  recommendationsCount: 0,
  noRecommendationsReason: false,
  familyOfferedDraft: false,
  activeCriminalProceedings: false,
  anonymisationConfirmed: false,
  familyToldOfPublication: false,
  actionsTotal: 0,
  actionsIncomplete: 0,
});
