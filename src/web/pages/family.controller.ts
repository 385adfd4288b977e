import { ADVOCACY_ORGANISATIONS, CONTRIBUTION_PREFERENCES, FAMILY_ENGAGEMENT_KINDS } from '../../casefile/entities';
import { recordFamilyEngagementSchema } from '../../casefile/family/family.schemas';
import { FamilyService } from '../../casefile/family/family.service';
import { parseInput } from '../../infrastructure/http/validation';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import { FieldSpec, FormProblem } from '../forms';
import { ADVOCACY_ORGANISATION_LABELS, CONTRIBUTION_PREFERENCE_LABELS, FAMILY_ENGAGEMENT_KIND_LABELS, optionsOf } from '../labels';
import { FormPages, FormRoute, PageController, summaryOf, TabRoute } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { codesInWords, noticeFrom } from './more-page-support';
import { accessOf } from './page-support';

const CONSENT_OPTIONS = [
  { value: 'true', text: 'Consent given' },
  { value: 'false', text: 'Consent refused' },
];

/** An optional choice that only some kinds of entry have (its empty option says which). */
function choice(name: string, label: string, emptyOption: string, hint: string, options: FieldSpec['options'], errorLabel?: string): FieldSpec {
  return { name, label, errorLabel, kind: 'select', optional: true, emptyOption, hint, options };
}

/** One entry of the log, as the family-engagements schema takes it. */
const ENTRY_FIELDS: FieldSpec[] = [
  { name: 'kind', label: 'What happened', errorLabel: 'what happened', kind: 'radios', options: optionsOf(FAMILY_ENGAGEMENT_KINDS, FAMILY_ENGAGEMENT_KIND_LABELS) },
  { name: 'occurredOn', label: 'Date', errorLabel: 'the date', kind: 'date', hint: 'For example, 2 7 2026' },
  { name: 'contactName', label: 'Who was contacted', kind: 'text', optional: true, hint: 'A family member, friend or colleague of the victim.', classes: 'govuk-!-width-two-thirds' },
  { name: 'notes', label: 'Notes', kind: 'textarea', optional: true },
  choice('advocateOrganisation', 'Advocacy organisation', 'Not about advocacy', 'Only when advocacy was offered or an advocate appointed.', optionsOf(ADVOCACY_ORGANISATIONS, ADVOCACY_ORGANISATION_LABELS), 'the advocacy organisation'),
  { name: 'advocateName', label: 'Name of the advocate', errorLabel: 'the name of the advocate', kind: 'text', optional: true, hint: 'Only when an advocate was appointed.', classes: 'govuk-!-width-two-thirds' },
  choice('consentGiven', 'Consent', 'Not about consent', 'Only for an entry about consent to take part.', CONSENT_OPTIONS, 'whether consent was given'),
  choice('preferredContribution', 'How they wish to contribute', 'Not recorded', 'On a contact attempt, consent or meeting.', optionsOf(CONTRIBUTION_PREFERENCES, CONTRIBUTION_PREFERENCE_LABELS)),
];

const NOTICES = { FAMILY_ENTRY_RECORDED: 'Entry added to the family involvement log' };

/** The service's words, with the codes of kinds in words. */
function inWords(problems: readonly FormProblem[]): FormProblem[] {
  return problems.map((p) => ({ ...p, message: codesInWords(p.message, FAMILY_ENGAGEMENT_KIND_LABELS) }));
}

/**
 * The log of the family's involvement (contact, advocacy, consent, meetings, the draft offered,
 * told of publication) and the form to add an entry, through FamilyService.
 */
@PageController('cases/:reviewId/family')
export class FamilyPagesController {
  constructor(private readonly family: FamilyService, readonly forms: FormPages) {}

  @TabRoute('', { template: 'pages/cases/family.njk', key: 'family', heading: 'Family involvement' })
  async log(review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
    const entries = (await this.family.list(reviewId)).map((e) => ({
      ...e,
      kindText: FAMILY_ENGAGEMENT_KIND_LABELS[e.kind],
      details: [
        e.advocateOrganisation ? `Advocacy: ${ADVOCACY_ORGANISATION_LABELS[e.advocateOrganisation]}` : null,
        e.advocateName ? `Advocate: ${e.advocateName}` : null,
        e.consentGiven === null ? null : e.consentGiven ? 'Consent given' : 'Consent refused',
        e.preferredContribution ? `Wishes to contribute: ${CONTRIBUTION_PREFERENCE_LABELS[e.preferredContribution].toLowerCase()}` : null,
      ].filter((d): d is string => d !== null),
    }));
    return {
      entries: [...entries].reverse(),
      facts: {
        offeredDraft: review.facts.familyOfferedDraft,
        toldOfPublication: review.facts.familyToldOfPublication,
      },
      mayWrite: may(accessOf(req), 'family.write'),
      notice: noticeFrom(query.done, NOTICES),
    };
  }

  @FormRoute('new', { post: '' })
  newPage(): FormPage {
    return {
      fields: ENTRY_FIELDS,
      // A task's link names what happened (?kind=draft_offered): the form starts with it chosen.
      values: (_review, { req }) => {
        const kind = String(req.query.kind ?? '');
        return (FAMILY_ENGAGEMENT_KINDS as readonly string[]).includes(kind) ? { kind } : {};
      },
      submit: async (input, { params, actor }) => {
        const consent = input.consentGiven === 'true' || input.consentGiven === 'false' ? { consentGiven: input.consentGiven === 'true' } : {};
        const entry = await this.family.record(params.reviewId, parseInput(recordFamilyEngagementSchema(this.family.today), { ...input, ...consent }), actor());
        const done = { draft_offered: 'FAMILY_OFFERED_DRAFT', draft_comments: 'FAMILY_COMMENTS_RECEIVED', told_of_publication: 'FAMILY_TOLD_OF_PUBLICATION' }[entry.kind as string];
        return `/cases/${params.reviewId}/family?done=${done ?? 'FAMILY_ENTRY_RECORDED'}`;
      },
      problems: inWords,
      summary: (refusal) => summaryOf(refusal).map(({ text }) => ({ text: codesInWords(text, FAMILY_ENGAGEMENT_KIND_LABELS) })),
      view: (review, { params }) => {
        const log = `/cases/${params.reviewId}/family`;
        const intro = 'Names and notes are personal data: they are kept in this log only, never in the review’s history.';
        return { review, heading: 'Add to the family involvement log', intro, back: { href: log, text: 'Back to family involvement' }, action: log, button: 'Add the entry' };
      },
    };
  }
}
