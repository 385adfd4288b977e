import { NotFoundException } from '@nestjs/common';
import { OversightService } from '../../casefile/oversight/oversight.service';
import { confirmAnonymisationSchema, putPublicationSchema } from '../../casefile/publication/publication.schemas';
import { PublicationService } from '../../casefile/publication/publication.service';
import { parseInput } from '../../infrastructure/http/validation';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import { FieldSpec, FormProblem, linesOf } from '../forms';
import { QA_OUTCOME_LABELS } from '../labels';
import { ukDate, ukDateTime } from '../web-views';
import { FormPages, FormRoute, PageController, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { noticeFrom } from './more-page-support';
import { lifecycleForms } from './oversight.controller';
import { accessOf } from './page-support';

type PublicationView = Awaited<ReturnType<PublicationService['get']>>;

const RECORD_FIELDS: FieldSpec[] = [
  {
    name: 'pseudonyms',
    label: 'Pseudonyms used in the report',
    errorLabel: 'the pseudonyms used in the report',
    kind: 'textarea',
    optional: true,
    hint: 'One on each line, for example Adult A. Agree them with the family.',
  },
  { name: 'redactionLog', label: 'Redaction log', kind: 'textarea', optional: true, hint: 'What was taken out of the published text, and why.' },
];

const CONFIRM_FIELDS: FieldSpec[] = [
  {
    name: 'confirmedBy',
    label: 'Who confirmed the report is anonymised',
    errorLabel: 'who confirmed the report is anonymised',
    kind: 'text',
    hint: 'Their name and role, for example Chris Rowe, independent chair.',
    classes: 'govuk-!-width-two-thirds',
  },
];

const NOTICES = { PUBLICATION_RECORDED: 'Pseudonyms and redaction log saved' };

/** A problem with one pseudonym ("pseudonyms.2") is about the box, naming the pseudonym. */
function recordProblems(problems: readonly FormProblem[], pseudonyms: readonly string[]): FormProblem[] {
  return problems.map((p) => {
    const match = /^pseudonyms\.(\d+)$/.exec(p.field);
    if (!match) return p;
    const name = pseudonyms[Number(match[1])] ?? '';
    return { field: 'pseudonyms', message: p.message === 'is listed twice' ? `must not list “${name}” twice` : `(“${name.slice(0, 40)}”) ${p.message}` };
  });
}

type Status = { text: string; classes?: string };
const DONE: Status = { text: 'Completed' };
const todo = (text = 'Incomplete'): Status => ({ text, classes: 'govuk-tag--blue' });
const waiting = (text = 'Cannot start yet'): Status => ({ text, classes: 'govuk-tag--grey' });
const tag = (status: Status) => (status === DONE ? { text: status.text } : { tag: status });

/**
 * The publication checklist: the record (pseudonyms, redaction log), who confirmed it
 * anonymised, what the lifecycle knows (the family told, proceedings, the Home Office's
 * outcome), and publishing itself, the lifecycle's PUBLISH event. Done or missing is what the
 * services say: the records as stored, the review's facts, and the reasons PUBLISH is refused.
 */
@PageController('cases/:reviewId/publication')
export class PublicationPagesController {
  constructor(private readonly publication: PublicationService, private readonly oversight: OversightService, readonly forms: FormPages) {}

  /** The record, or null when there is none yet (the service's 404). */
  private async record(reviewId: string): Promise<PublicationView | null> {
    try {
      return await this.publication.get(reviewId);
    } catch (error) {
      if (error instanceof NotFoundException) return null;
      throw error;
    }
  }

  @TabRoute('', { template: 'pages/cases/publication.njk', key: 'publication', heading: 'Publication', asReader: true })
  async checklist(review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
    const access = accessOf(req);
    // The facts and reasons this reader may see (the RAG reads neither the family log nor the proceedings).
    const record = await this.record(reviewId);
    const published = !!record?.publishedAt;
    const mayWrite = may(access, 'publication.write') && !published;
    const rounds = may(access, 'oversight.read') ? await this.oversight.qaRounds(reviewId) : null;
    const lastRound = rounds?.[rounds.length - 1] ?? null;
    const base = `/cases/${reviewId}/publication`;
    const lifecycle = lifecycleForms(access, review, ['PUBLISH']);
    // What PUBLISH still needs, in the lifecycle's words (shown to every reader of the checklist).
    const publishReasons = review.blockedEvents.find((b) => b.type === 'PUBLISH')?.reasons ?? [];
    const publishBlocked = !review.allowedEvents.includes('PUBLISH');

    const items = [
      {
        title: { text: 'Record the pseudonyms and the redaction log' },
        hint: { text: record?.id ? `${record.pseudonyms.length} ${record.pseudonyms.length === 1 ? 'pseudonym' : 'pseudonyms'}${record.redactionLog ? ', redaction log recorded' : ', no redaction log'}` : 'Not recorded yet' },
        href: mayWrite ? `${base}/record` : undefined,
        status: tag(record?.id ? DONE : todo()),
      },
      {
        title: { text: 'Confirm the report is anonymised' },
        hint: {
          text: record?.anonymisationConfirmedAt
            ? `Confirmed by ${record.anonymisationConfirmedBy} on ${ukDateTime(record.anonymisationConfirmedAt)}`
            : record?.id
              ? 'Not confirmed yet. Changing the pseudonyms or redaction log afterwards withdraws a confirmation.'
              : 'Record the pseudonyms and redaction log first.',
        },
        href: mayWrite && record?.id && !record.anonymisationConfirmedAt ? `${base}/anonymisation-confirmation` : undefined,
        status: tag(record?.anonymisationConfirmedAt ? DONE : record?.id ? todo() : waiting()),
      },
      ...(review.facts.familyToldOfPublication !== undefined
        ? [
            {
              title: { text: 'Tell the family about the publication' },
              hint: { text: review.facts.familyToldOfPublication ? 'Recorded in the family involvement log' : 'Record it in the family involvement log when they have been told the date and where.' },
              href: may(access, 'family.read') ? `/cases/${reviewId}/family` : undefined,
              status: tag(review.facts.familyToldOfPublication ? DONE : todo()),
            },
          ]
        : []),
      ...(review.facts.activeCriminalProceedings !== undefined
        ? [
            {
              title: { text: 'Criminal proceedings' },
              hint: { text: review.facts.activeCriminalProceedings ? 'Proceedings are still active: publication waits until they end.' : 'None active' },
              status: tag(review.facts.activeCriminalProceedings ? waiting('Still active') : DONE),
            },
          ]
        : []),
      ...(rounds
        ? [
            {
              title: { text: 'Home Office quality assurance' },
              hint: {
                text: lastRound
                  ? lastRound.outcome
                    ? `Round ${lastRound.round}: ${QA_OUTCOME_LABELS[lastRound.outcome as keyof typeof QA_OUTCOME_LABELS] ?? lastRound.outcome}, letter of ${ukDate(lastRound.letterDate)}`
                    : `Round ${lastRound.round}: submitted ${ukDate(lastRound.submittedAt)}, awaiting the letter`
                  : 'Not submitted yet',
              },
              href: `/cases/${reviewId}/qa`,
              status: tag(lastRound?.outcome && lastRound.outcome !== 'resubmit' ? DONE : lastRound ? todo('In progress') : waiting()),
            },
          ]
        : []),
      {
        title: { text: 'Publish the report' },
        hint: { text: published ? `Published on ${ukDate(record?.publishedAt)}${record?.url ? ` at ${record.url}` : ''}` : publishBlocked ? publishReasons.join('. ') || 'Not possible now.' : 'Ready to publish.' },
        status: tag(published ? DONE : publishBlocked ? waiting() : todo('Ready')),
      },
    ];

    return {
      record,
      items,
      ...lifecycle,
      blocked: [],
      notice: noticeFrom(query.done, NOTICES),
    };
  }

  /** The record (pseudonyms and redaction log) or the confirmation that the report is anonymised. */
  @FormRoute('record', { page: 'record' })
  @FormRoute('anonymisation-confirmation', { page: 'confirm' })
  formPage(which: 'record' | 'confirm'): FormPage<{ review: ReviewView; record: PublicationView | null }> {
    const recording = which === 'record';
    const title = recording ? 'Pseudonyms and redaction log' : 'Confirm the report is anonymised';
    return {
      load: async ({ params }) => ({ review: await this.forms.review(params.reviewId), record: await this.record(params.reviewId) }),
      fields: recording ? RECORD_FIELDS : CONFIRM_FIELDS,
      values: ({ record }) => ({ pseudonyms: (record?.pseudonyms ?? []).join('\n'), redactionLog: record?.redactionLog ?? '' }),
      submit: async (input, { params, body, actor, ifMatch }) => {
        if (recording) await this.publication.put(params.reviewId, parseInput(putPublicationSchema, { ...input, pseudonyms: linesOf(body?.pseudonyms) }), actor(), ifMatch);
        else await this.publication.confirmAnonymisation(params.reviewId, parseInput(confirmAnonymisationSchema, input), actor(), ifMatch);
        return `/cases/${params.reviewId}/publication?done=${recording ? 'PUBLICATION_RECORDED' : 'ANONYMISATION_CONFIRMED'}`;
      },
      // Each pseudonym's problem is shown, several on the one box.
      problems: (problems, _, { body }) => (recording ? recordProblems(problems, linesOf(body?.pseudonyms)) : problems),
      eachProblem: recording,
      stale: {
        what: 'publication record',
        about: (e) => e.type.startsWith('ANONYMISATION_'),
        now: ({ record: r }) =>
          r
            ? `It now lists ${r.pseudonyms.length} ${r.pseudonyms.length === 1 ? 'pseudonym' : 'pseudonyms'}, and the anonymisation is ${r.anonymisationConfirmedAt ? `confirmed by ${r.anonymisationConfirmedBy}` : 'not confirmed'}`
            : null,
      },
      view: ({ review, record }, { params }) => ({
        review,
        heading: title,
        about:
          !recording && record?.id
            ? [
                { key: { text: 'Pseudonyms' }, value: { text: record.pseudonyms.join(', ') || 'None' } },
                { key: { text: 'Redaction log' }, value: { text: record.redactionLog ?? 'None' } },
              ]
            : undefined,
        intro: recording
          ? 'The names used in the published report instead of real names, and what was redacted. Changing them after the anonymisation was confirmed withdraws the confirmation.'
          : 'Someone who has read the text to be published confirms that nobody can be identified from it.',
        back: { href: `/cases/${params.reviewId}/publication`, text: 'Back to publication' },
        action: `/cases/${params.reviewId}/publication/${recording ? 'record' : 'anonymisation-confirmation'}`,
        hidden: versions(record, review),
        button: recording ? 'Save' : 'Confirm the anonymisation',
        closed: record?.publishedAt
          ? `The review was published on ${ukDate(record.publishedAt)}: its publication record is fixed.`
          : !recording && !record?.id
            ? 'Record the pseudonyms and redaction log first.'
            : !recording && record?.anonymisationConfirmedAt
              ? `The anonymisation was confirmed by ${record.anonymisationConfirmedBy} on ${ukDateTime(record.anonymisationConfirmedAt)}.`
              : null,
      }),
    };
  }
}
