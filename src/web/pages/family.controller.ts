import { Controller } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { ADVOCACY_ORGANISATIONS, CONTRIBUTION_PREFERENCES, FAMILY_ENGAGEMENT_KINDS } from '../../casefile/entities';
import { recordFamilyEngagementSchema } from '../../casefile/family/family.schemas';
import { FamilyService } from '../../casefile/family/family.service';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import { FieldSpec, FormProblem } from '../forms';
import { ADVOCACY_ORGANISATION_LABELS, CONTRIBUTION_PREFERENCE_LABELS, FAMILY_ENGAGEMENT_KIND_LABELS, optionsOf } from '../labels';
import { FormPages, FormRoute, TabRoute, summaryOf } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { codesInWords, noticeFrom } from './more-page-support';
import { accessOf } from './page-support';

const CONSENT_OPTIONS = [
  { value: 'true', text: 'Consent given' },
  { value: 'false', text: 'Consent refused' },
];

/** One entry of the log, as the family-engagements schema takes it. */
const ENTRY_FIELDS: FieldSpec[] = [
  { name: 'kind', label: 'What happened', errorLabel: 'what happened', kind: 'radios', options: optionsOf(FAMILY_ENGAGEMENT_KINDS, FAMILY_ENGAGEMENT_KIND_LABELS) },
  { name: 'occurredOn', label: 'Date', errorLabel: 'the date', kind: 'date', hint: 'For example, 2 7 2026' },
  { name: 'contactName', label: 'Who was contacted', kind: 'text', optional: true, hint: 'A family member, friend or colleague of the victim.', classes: 'govuk-!-width-two-thirds' },
  { name: 'notes', label: 'Notes', kind: 'textarea', optional: true },
  {
    name: 'advocateOrganisation',
    label: 'Advocacy organisation',
    errorLabel: 'the advocacy organisation',
    kind: 'select',
    optional: true,
    emptyOption: 'Not about advocacy',
    hint: 'Only when advocacy was offered or an advocate appointed.',
    options: optionsOf(ADVOCACY_ORGANISATIONS, ADVOCACY_ORGANISATION_LABELS),
  },
  { name: 'advocateName', label: 'Name of the advocate', errorLabel: 'the name of the advocate', kind: 'text', optional: true, hint: 'Only when an advocate was appointed.', classes: 'govuk-!-width-two-thirds' },
  {
    name: 'consentGiven',
    label: 'Consent',
    errorLabel: 'whether consent was given',
    kind: 'select',
    optional: true,
    emptyOption: 'Not about consent',
    hint: 'Only for an entry about consent to take part.',
    options: CONSENT_OPTIONS,
  },
  {
    name: 'preferredContribution',
    label: 'How they wish to contribute',
    kind: 'select',
    optional: true,
    emptyOption: 'Not recorded',
    hint: 'On a contact attempt, consent or meeting.',
    options: optionsOf(CONTRIBUTION_PREFERENCES, CONTRIBUTION_PREFERENCE_LABELS),
  },
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
@ApiExcludeController()
@Controller('cases/:reviewId/family')
export class FamilyPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly family: FamilyService,
    readonly forms: FormPages,
  ) {}

  @TabRoute('', { template: 'pages/cases/family.njk', key: 'family', heading: 'Family involvement' })
  async log(review: ReviewView, { req, params, query }: TabContext) {
    const { reviewId } = params;
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
  newPage(): FormPage<ReviewView> {
    return {
      load: ({ params }) => this.reviews.get(params.reviewId),
      fields: ENTRY_FIELDS,
      submit: async (input, { params, actor }) => {
        const consent = input.consentGiven === 'true' || input.consentGiven === 'false' ? { consentGiven: input.consentGiven === 'true' } : {};
        const entry = await this.family.record(params.reviewId, parseInput(recordFamilyEngagementSchema(this.family.today), { ...input, ...consent }), actor());
        const done = { draft_offered: 'FAMILY_OFFERED_DRAFT', draft_comments: 'FAMILY_COMMENTS_RECEIVED', told_of_publication: 'FAMILY_TOLD_OF_PUBLICATION' }[entry.kind as string];
        return `/cases/${params.reviewId}/family?done=${done ?? 'FAMILY_ENTRY_RECORDED'}`;
      },
      problems: inWords,
      summary: (refusal) => summaryOf(refusal).map(({ text }) => ({ text: codesInWords(text, FAMILY_ENGAGEMENT_KIND_LABELS) })),
      view: (review, { params }) => ({
        review,
        heading: 'Add to the family involvement log',
        intro: 'Names and notes are personal data: they are kept in this log only, never in the review’s history.',
        back: { href: `/cases/${params.reviewId}/family`, text: 'Back to family involvement' },
        action: `/cases/${params.reviewId}/family`,
        button: 'Add the entry',
      }),
    };
  }
}
