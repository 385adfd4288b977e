import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { LEGAL_STATUSES, PERSON_ROLES } from '../../casefile/entities';
import { readOptions as peopleReadOptions } from '../../casefile/people/people.controller';
import { addPersonSchema } from '../../casefile/people/people.schemas';
import { PeopleService } from '../../casefile/people/people.service';
import { CspsService } from '../../csps/csps.service';
import { parseInput } from '../../infrastructure/http/validation';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { caseNavigation, may } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { LEGAL_STATUS_LABELS, optionsOf, PERSON_ROLE_LABELS } from '../labels';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { summaryOf } from './imrs.controller';
import { cspNameOf, noticeFrom } from './more-page-support';
import { accessOf, actorOf } from './page-support';

/** A person in the case, as addPersonSchema takes them. */
const PERSON_FIELDS: FieldSpec[] = [
  { name: 'role', label: 'Who they are in the case', errorLabel: 'who they are in the case', kind: 'radios', options: optionsOf(PERSON_ROLES, PERSON_ROLE_LABELS) },
  {
    name: 'realName',
    label: 'Real name',
    kind: 'text',
    hint: 'Shown only to the CSP lead and the chair, and only when they ask to see real names.',
    classes: 'govuk-!-width-two-thirds',
    autocomplete: 'off',
  },
  {
    name: 'pseudonym',
    label: 'Pseudonym',
    kind: 'text',
    hint: 'The name used for them in the report and everywhere else in this service, for example Adult A. It must not be anyone’s real name.',
    classes: 'govuk-!-width-one-half',
    autocomplete: 'off',
  },
  { name: 'relationshipToVictim', label: 'Relationship to the victim', kind: 'text', optional: true, hint: 'For example, partner, son, neighbour.', classes: 'govuk-!-width-two-thirds' },
  { name: 'age', label: 'Age', kind: 'number', optional: true },
  {
    name: 'legalStatus',
    label: 'Legal status',
    errorLabel: 'the legal status',
    kind: 'select',
    optional: true,
    emptyOption: 'Not a perpetrator',
    hint: 'Only for a perpetrator: where they stand in the criminal process.',
    options: optionsOf(LEGAL_STATUSES, LEGAL_STATUS_LABELS),
  },
  { name: 'notes', label: 'Notes', kind: 'textarea', optional: true, hint: 'Use pseudonyms, not real names.' },
];

const NOTICES = { PERSON_ADDED: 'Person added' };

/** The service's words on the fields (a pseudonym already used is its 409 "pseudonym: …"). */
function personProblems(problems: readonly FormProblem[]): FormProblem[] {
  return problems.map((p) => (p.field === 'pseudonym' && /^another person in this review is already called/.test(p.message) ? { ...p, message: 'is already used for another person in this review' } : p));
}

/**
 * The people of the case under their pseudonyms (PeopleService). Real names only through the
 * explicit "Show real names" link (`?include=realNames`), which the API's own rule answers
 * (only the CSP lead and the chair; anyone else asking gets a 403) and the access log records
 * with its query string; and the form to add a person.
 */
@ApiExcludeController()
@Controller('cases/:reviewId/people')
export class PeoplePagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly people: PeopleService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async list(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('include') include: unknown, @Query('done') done: unknown) {
    const access = accessOf(req);
    // The API's rule, on the one query value it reads (`done` is the page's own).
    const options = peopleReadOptions(include === undefined ? {} : { include }, access);
    const review = await this.reviews.get(reviewId);
    const people = (await this.people.list(reviewId, options)).map((p) => ({
      ...p,
      roleText: PERSON_ROLE_LABELS[p.role] ?? p.role,
      legalStatusText: p.legalStatus ? (LEGAL_STATUS_LABELS[p.legalStatus] ?? p.legalStatus) : null,
    }));
    const base = `/cases/${reviewId}/people`;
    return this.views.render(req, res, 'pages/cases/people.njk', {
      pageTitle: `People – ${review.reference}`,
      heading: 'People in the case',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      people,
      realNames: options.realNames,
      realNamesLink: options.realNames ? { href: base, text: 'Hide real names' } : may(access, 'people.realNames') ? { href: `${base}?include=realNames`, text: 'Show real names' } : null,
      mayWrite: may(access, 'people.write'),
      caseNav: caseNavigation(access, reviewId, 'people'),
      notice: noticeFrom(done, NOTICES),
    });
  }

  @Get('new')
  async newPerson(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderNew(req, res, reviewId, {}, [], 200);
  }

  @Post()
  async add(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const { input, problems } = readForm(PERSON_FIELDS, body);
    try {
      await this.people.add(reviewId, parseInput(addPersonSchema, input), actorOf(req));
      return this.views.redirect(res, `/cases/${reviewId}/people?done=PERSON_ADDED`);
    } catch (error) {
      const refusal = refusalOf(error, PERSON_FIELDS.map((f) => f.name));
      if (!refusal) throw error;
      return this.renderNew(req, res, reviewId, body, mergeProblems(problems, personProblems(refusal.problems)), refusal.status, refusal);
    }
  }

  private async renderNew(req: WebRequest, res: Response, reviewId: string, body: FormBody, problems: FormProblem[], status: number, refusal?: Refusal) {
    const review = await this.reviews.get(reviewId);
    const form = formView(PERSON_FIELDS, { body, problems });
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `Add a person – ${review.reference}`,
        review,
        heading: 'Add a person',
        intro: 'The victim, a perpetrator, a child, family or a friend. The review’s pages, history and reports use the pseudonym; the real name is kept apart.',
        back: { href: `/cases/${reviewId}/people`, text: 'Back to people' },
        action: `/cases/${reviewId}/people`,
        hidden: {},
        fields: form.fields,
        button: 'Add the person',
        // A named problem (a pseudonym already used) says it on its field; its 409's advice would only repeat it.
        errorList: [...form.errorList, ...summaryOf(refusal && { ...refusal, reasons: refusal.problems.length > 0 ? [] : refusal.reasons })],
      },
      status,
    );
  }
}
