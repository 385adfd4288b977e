import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { ADVOCACY_ORGANISATIONS, CONTRIBUTION_PREFERENCES, FAMILY_ENGAGEMENT_KINDS } from '../../casefile/entities';
import { recordFamilyEngagementSchema } from '../../casefile/family/family.schemas';
import { FamilyService } from '../../casefile/family/family.service';
import { CspsService } from '../../csps/csps.service';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, may } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { ADVOCACY_ORGANISATION_LABELS, CONTRIBUTION_PREFERENCE_LABELS, FAMILY_ENGAGEMENT_KIND_LABELS, optionsOf } from '../labels';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { codesInWords, cspNameOf, noticeFrom } from './more-page-support';
import { accessOf, actorOf } from './page-support';

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
    private readonly csps: CspsService,
    private readonly family: FamilyService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async log(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
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
    return this.views.render(req, res, 'pages/cases/family.njk', {
      pageTitle: `Family involvement – ${review.reference}`,
      heading: 'Family involvement',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      entries: [...entries].reverse(),
      facts: {
        offeredDraft: review.facts.familyOfferedDraft,
        toldOfPublication: review.facts.familyToldOfPublication,
      },
      mayWrite: may(access, 'family.write'),
      caseNav: caseNavigation(access, reviewId, 'family'),
      notice: noticeFrom(done, NOTICES),
    });
  }

  @Get('new')
  async newEntry(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderNew(req, res, reviewId, {}, [], 200);
  }

  @Post()
  async record(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const { input, problems } = readForm(ENTRY_FIELDS, body);
    if (input.consentGiven === 'true' || input.consentGiven === 'false') input.consentGiven = input.consentGiven === 'true';
    try {
      const entry = await this.family.record(reviewId, parseInput(recordFamilyEngagementSchema(this.family.today), input), actorOf(req));
      const done = { draft_offered: 'FAMILY_OFFERED_DRAFT', draft_comments: 'FAMILY_COMMENTS_RECEIVED', told_of_publication: 'FAMILY_TOLD_OF_PUBLICATION' }[entry.kind as string];
      return this.views.redirect(res, `/cases/${reviewId}/family?done=${done ?? 'FAMILY_ENTRY_RECORDED'}`);
    } catch (error) {
      const refusal = refusalOf(error, ENTRY_FIELDS.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderNew(req, res, reviewId, body, mergeProblems(problems, inWords(refusal.problems)), refusal.status, refusal);
    }
  }

  private async renderNew(req: WebRequest, res: Response, reviewId: string, body: FormBody, problems: FormProblem[], status: number, refusal?: Refusal) {
    const review = await this.reviews.get(reviewId);
    const form = formView(ENTRY_FIELDS, { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Add to the family involvement log – ${review.reference}`,
        review,
        heading: 'Add to the family involvement log',
        intro: 'Names and notes are personal data: they are kept in this log only, never in the review’s history.',
        back: { href: `/cases/${reviewId}/family`, text: 'Back to family involvement' },
        action: `/cases/${reviewId}/family`,
        hidden: {},
        fields: form.fields,
        button: 'Add the entry',
        errorList: [...form.errorList, ...summaryOf(refusal && { ...refusal, summary: refusal.summary && codesInWords(refusal.summary, FAMILY_ENGAGEMENT_KIND_LABELS), reasons: refusal.reasons.map((r) => codesInWords(r, FAMILY_ENGAGEMENT_KIND_LABELS)) })],
      },
      status,
    );
  }
}
