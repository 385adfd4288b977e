import { HttpException, HttpStatus } from '@nestjs/common';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { RecordsSecuredService } from '../../casefile/scoping/records-secured.service';
import { ScopingResponsesService } from '../../casefile/scoping/scoping-responses.service';
import { confirmRecordsSecuredSchema, correctScopingResponseSchema, recordScopingResponseSchema } from '../../casefile/scoping/scoping.schemas';
import { parseInput } from '../../infrastructure/http/validation';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import { FieldSpec, FormProblem } from '../forms';
import { ukDate } from '../web-views';
import { FormPages, FormRoute, PageController, summaryOf, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { noticeFrom } from './more-page-support';
import { accessOf } from './page-support';

type Agencies = ReadonlyArray<{ id: string; name: string }>;
type ScopingResponseView = Awaited<ReturnType<ScopingResponsesService['get']>>;

const CONTACT_OPTIONS = [
  { value: 'true', text: 'Yes, it had contact' },
  { value: 'false', text: 'No contact' },
];

const agencyField = (agencies: Agencies): FieldSpec => ({
  name: 'agencyId',
  label: 'Agency',
  errorLabel: 'the agency',
  kind: 'select',
  options: agencies.map((a) => ({ value: a.id, text: a.name })),
});

/** What a response says (the fields a correction may change), as the scoping schemas take them. */
const ANSWER_FIELDS: FieldSpec[] = [
  {
    name: 'hadContact',
    label: 'Did the agency have contact with the people in the case?',
    errorLabel: 'whether the agency had contact',
    kind: 'radios',
    options: CONTACT_OPTIONS,
  },
  { name: 'respondedOn', label: 'Date of the response', errorLabel: 'the date of the response', kind: 'date', hint: 'The date the agency answered the scoping letter. For example, 10 2 2026' },
  {
    name: 'summary',
    label: 'Summary of the contact',
    kind: 'textarea',
    optional: true,
    hint: 'What contact the agency had, and when. Use pseudonyms, not real names.',
  },
];

const responseFields = (agencies: Agencies): FieldSpec[] => [agencyField(agencies), ...ANSWER_FIELDS];

const recordsSecuredFields = (agencies: Agencies): FieldSpec[] => [
  agencyField(agencies),
  { name: 'confirmedOn', label: 'Date the agency confirmed it', errorLabel: 'the date the agency confirmed it', kind: 'date', hint: 'For example, 12 2 2026' },
  {
    name: 'confirmedBy',
    label: 'Who at the agency confirmed it',
    errorLabel: 'who at the agency confirmed it',
    kind: 'text',
    hint: 'Their name and role.',
    classes: 'govuk-!-width-two-thirds',
    autocomplete: 'off',
  },
];

/** Confirmations of changes that leave no row in the review's history (a correction's is SCOPING_RESPONSE_CORRECTED). */
const NOTICES = {
  SCOPING_RESPONSE_RECORDED: 'Scoping response recorded',
  SCOPING_RESPONSE_UNCHANGED: 'Nothing was changed: the response already said that',
  RECORDS_SECURED: 'Records secured confirmation recorded',
};

/** The radios' "true"/"false" as the schema's boolean; a missing answer is "is required", not the schema's "must be true or false". */
function answerOf(input: Record<string, unknown>): Record<string, unknown> {
  return input.hadContact === 'true' || input.hadContact === 'false' ? { ...input, hadContact: input.hadContact === 'true' } : input;
}

function answerProblems(problems: readonly FormProblem[], input: Record<string, unknown>): FormProblem[] {
  return problems.map((p) => (p.field === 'hadContact' && input.hadContact === undefined ? { field: 'hadContact', message: 'is required' } : p));
}

/** The service's dates (YYYY-MM-DD) in a message, as the pages write dates. */
function datesInWords(text: string): string {
  return text.replace(/\b\d{4}-\d{2}-\d{2}\b/g, (d) => ukDate(d));
}

/** The id of the record a 409 is about (the service names the existing response or confirmation). */
function conflictIdOf(error: unknown): string | null {
  if (!(error instanceof HttpException) || error.getStatus() !== HttpStatus.CONFLICT) return null;
  const body = error.getResponse();
  return typeof body === 'object' && body !== null && typeof (body as { id?: unknown }).id === 'string' ? (body as { id: string }).id : null;
}

function contactInWords(hadContact: boolean): string {
  return hadContact ? 'had contact' : 'no contact';
}

function count(n: number, one: string, many: string): string {
  return `${n} ${n === 1 ? one : many}`;
}

type Subject = { review: ReviewView; agencies: Agencies };

/**
 * Scoping: each agency's answer to the CSP's scoping letter (did it have contact with the
 * people in the case?) and each agency's confirmation that it has secured its records; the
 * forms to record a response, correct one, and record records secured, through the services
 * the scoping-responses and records-secured API routes use.
 */
@PageController('cases/:reviewId/scoping')
export class ScopingPagesController {
  constructor(private readonly responses: ScopingResponsesService, private readonly recordsSecured: RecordsSecuredService, private readonly agencies: AgenciesService, readonly forms: FormPages) {}

  @TabRoute('', { template: 'pages/cases/scoping.njk', key: 'scoping', heading: 'Scoping' })
  async overview(_review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
    const agencyNames = new Map((await this.agencies.list()).map((a) => [a.id, a.name]));
    const nameOf = (agencyId: string) => agencyNames.get(agencyId) ?? 'An agency';
    const byAgency = <T extends { agencyId: string }>(rows: T[]) =>
      rows.map((r) => ({ ...r, agencyName: nameOf(r.agencyId) })).sort((a, b) => a.agencyName.localeCompare(b.agencyName, 'en-GB'));
    const responses = byAgency(await this.responses.list(reviewId));
    const confirmations = byAgency(await this.recordsSecured.list(reviewId));
    const secured = new Set(confirmations.map((c) => c.agencyId));
    const withContact = responses.filter((r) => r.hadContact).length;
    const have = (rows: unknown[]) => count(rows.length, 'agency has', 'agencies have');
    return {
      responses,
      confirmations,
      counts: {
        responses: responses.length === 0 ? null : `${have(responses)} responded: ${withContact} had contact, ${responses.length - withContact} had none.`,
        confirmations: confirmations.length === 0 ? null : `${have(confirmations)} confirmed ${confirmations.length === 1 ? 'its' : 'their'} records are secured.`,
      },
      notYetSecured: responses.filter((r) => !secured.has(r.agencyId)).map((r) => r.agencyName),
      mayWrite: may(accessOf(req), 'scoping.write'),
      notice: noticeFrom(query.done, NOTICES),
    };
  }

  /** A form about the review with the agencies to choose from: a response, or records secured. */
  @FormRoute('responses/new', { post: 'responses', page: 'response' })
  @FormRoute('records-secured/new', { post: 'records-secured', page: 'secured' })
  recordPage(which: 'response' | 'secured'): FormPage<Subject> {
    const response = which === 'response';
    const path = response ? 'responses' : 'records-secured';
    return {
      load: async ({ params }) => ({ review: await this.forms.review(params.reviewId), agencies: await this.agencies.list() }),
      fields: async (_, s) => (response ? responseFields : recordsSecuredFields)(s?.agencies ?? (await this.agencies.list())),
      submit: async (input, { params, actor }) => {
        if (response) await this.responses.record(params.reviewId, parseInput(recordScopingResponseSchema(this.responses.today), answerOf(input)), actor());
        else await this.recordsSecured.confirm(params.reviewId, parseInput(confirmRecordsSecuredSchema(this.recordsSecured.today), input), actor());
        return `/cases/${params.reviewId}/scoping?done=${response ? 'SCOPING_RESPONSE_RECORDED' : 'RECORDS_SECURED'}`;
      },
      problems: (problems, input) => (response ? answerProblems(problems, answerOf(input)) : problems),
      // The agency has answered (or confirmed) already: a response is corrected, not recorded twice.
      summary: (refusal, error, { params }) => {
        if (refusal?.status !== HttpStatus.CONFLICT) return summaryOf(refusal);
        const existing = response ? conflictIdOf(error) : null;
        return [
          { text: datesInWords(refusal.summary ?? '') },
          ...(existing ? [{ text: 'Correct that response instead', href: `/cases/${params.reviewId}/scoping/responses/${existing}/correct` }] : []),
        ];
      },
      view: ({ review }, { params }) => ({
        review,
        heading: response ? 'Record a scoping response' : 'Record that an agency secured its records',
        intro: response
          ? 'An agency’s answer to the scoping letter: whether it had contact with the people in the case. One response for each agency; a response already recorded is corrected instead.'
          : 'The agency’s confirmation that it has secured its records of the people in the case. Each agency confirms once.',
        back: { href: `/cases/${params.reviewId}/scoping`, text: 'Back to scoping' },
        action: `/cases/${params.reviewId}/scoping/${path}`,
        button: response ? 'Record the response' : 'Record the confirmation',
      }),
    };
  }

  @FormRoute('responses/:responseId/correct')
  correctPage(): FormPage<Subject & { response: ScopingResponseView; agencyName: string }> {
    return {
      load: async ({ params }) => {
        const review = await this.forms.review(params.reviewId);
        const response = await this.responses.get(params.reviewId, params.responseId);
        const agencies = await this.agencies.list();
        return { review, agencies, response, agencyName: agencies.find((a) => a.id === response.agencyId)?.name ?? 'An agency' };
      },
      fields: ANSWER_FIELDS,
      values: ({ response }) => ({ hadContact: String(response.hadContact), respondedOn: response.respondedOn, summary: response.summary }),
      submit: async (input, { params, body, actor, ifMatch }) => {
        // Every field is sent: an emptied summary clears it (the schema's null).
        const answer = { summary: null, ...answerOf(input) };
        const corrected = await this.responses.correct(params.reviewId, params.responseId, parseInput(correctScopingResponseSchema(this.responses.today), answer), actor(), ifMatch);
        const unchanged = String(corrected.version) === body?.version;
        return `/cases/${params.reviewId}/scoping?done=${unchanged ? 'SCOPING_RESPONSE_UNCHANGED' : 'SCOPING_RESPONSE_CORRECTED'}`;
      },
      problems: (problems, input) => answerProblems(problems, answerOf(input)),
      stale: {
        what: 'scoping response',
        about: (e, { params }) => e.payload?.scopingResponseId === params.responseId,
        now: ({ response }) => `It now says: ${contactInWords(response.hadContact)}, responded on ${ukDate(response.respondedOn)}`,
      },
      view: ({ review, response, agencyName }, { params }) => ({
        review,
        heading: `Correct the scoping response from ${agencyName}`,
        about: [
          { key: { text: 'Agency' }, value: { text: agencyName } },
          { key: { text: 'Recorded by' }, value: { text: response.createdBy } },
        ],
        intro: 'Which fields were corrected, and who corrected them, goes into the review’s history.',
        back: { href: `/cases/${params.reviewId}/scoping`, text: 'Back to scoping' },
        action: `/cases/${params.reviewId}/scoping/responses/${params.responseId}/correct`,
        hidden: versions(response, review),
        button: 'Save the correction',
      }),
    };
  }
}
