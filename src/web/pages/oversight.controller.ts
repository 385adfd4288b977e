import { listQaChangesSchema, qaChangeDoneSchema } from '../../casefile/oversight/qa-rounds.schemas';
import { QaRoundsService } from '../../casefile/oversight/qa-rounds.service';
import { NotFoundException } from '@nestjs/common';
import type { ReviewEventType } from '../../reviews/lifecycle/events';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import type { AccessContext } from '../../access/access.service';
import { may, mayApply, whoMayApply } from '../case-pages';
import { EVENT_FORMS } from '../event-forms';
import { FieldSpec, FormProblem, formView, linesOf } from '../forms';
import { EVENT_ACTION_LABELS, QA_OUTCOME_LABELS } from '../labels';
import { csrfTokenOf, ukDate, ukDateTime } from '../web-views';
import { FormPages, FormRoute, PageController, parseWith, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { noticeFrom } from './more-page-support';
import { accessOf } from './page-support';
import { PageUploadInterceptor, uploadProblems } from './page-upload.interceptor';
import type { UploadRequest } from './page-upload.interceptor';

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

type QaRound = Awaited<ReturnType<QaRoundsService['rounds']>>[number];
type RoundSubject = { review: ReviewView; round: QaRound };

const CHANGES_FIELDS: FieldSpec[] = [
  {
    name: 'changes',
    label: 'The changes the letter asks for',
    errorLabel: 'the changes asked for',
    kind: 'textarea',
    optional: true,
    hint: 'One on each line, in the letter’s order. Each becomes an item to mark done before the report is sent again.',
  },
];
const DONE_FIELDS: FieldSpec[] = [
  { name: 'doneOn', label: 'Date done', kind: 'date', hint: 'For example, 27 3 2027. Not before the date of the letter.' },
  { name: 'note', label: 'What was done', kind: 'textarea', optional: true, hint: 'For example, which section of the report changed.' },
];

const NOTICES = {
  QA_LETTER_UPLOADED: 'Letter uploaded',
  QA_CHANGES_LISTED: 'Changes listed',
  QA_CHANGE_DONE: 'Change marked done',
};

/** A problem with one line ("changes.2") is about the box, naming the line. */
function changesProblems(problems: readonly FormProblem[]): FormProblem[] {
  return problems.map((p) => (/^changes\.(\d+)$/.test(p.field) ? { field: 'changes', message: `(line ${Number(p.field.slice(8)) + 1}) ${p.message}` } : p));
}

/**
 * Home Office quality assurance: each submission and the outcome of its round (the lifecycle's
 * record, read by QaRoundsService), each round's letter and the changes it asks for with what was
 * done; for whoever may apply them, the forms of the SUBMIT_TO_HOME_OFFICE and RECORD_QA_OUTCOME
 * lifecycle events; and the forms that upload a round's letter, list its changes and mark one done.
 */
@PageController('cases/:reviewId/qa')
export class QaPagesController {
  constructor(private readonly qa: QaRoundsService, readonly forms: FormPages) {}

  @TabRoute('', { template: 'pages/cases/qa.njk', key: 'qa', heading: 'Home Office quality assurance' })
  async rounds(review: ReviewView, { req, params, query }: TabContext) {
    const access = accessOf(req);
    const mayWrite = may(access, 'qaRounds.write');
    // The letter is a document: a link for those who may read every document (not the RAG, who sees only the report).
    const mayReadLetters = may(access, 'documents.read') && !access.restriction;
    const base = `/cases/${params.reviewId}/qa`;
    const rounds = (await this.qa.rounds(params.reviewId)).map((r) => ({
      ...r,
      outcomeText: r.outcome ? (QA_OUTCOME_LABELS[r.outcome as keyof typeof QA_OUTCOME_LABELS] ?? r.outcome) : null,
      letterText: r.letter ? `${r.letter.filename} (version ${r.letter.version}, uploaded ${ukDateTime(r.letter.uploadedAt)})` : null,
      letterHref: r.letter && mayReadLetters ? r.letter.contentUrl : null,
      letterUploadHref: mayWrite ? `${base}/${r.round}/letter` : null,
      changesHref: mayWrite && r.outcome ? `${base}/${r.round}/changes` : null,
      changes: r.changes.map((c) => ({
        ...c,
        doneText: c.doneOn ? `Done on ${ukDate(c.doneOn)}${c.note ? `: ${c.note}` : ''}` : null,
        doneHref: mayWrite && !c.done ? `${base}/${r.round}/changes/${c.id}/done` : null,
      })),
    }));
    const clocks = review.clocks.filter((c) => c.kind === 'qa_resubmission' || c.kind === 'completion_target');
    // The checklist and the pack: only for those who may get the pack (not the RAG, who would be refused).
    const mayPack = may(access, 'homeOfficePack.read');
    const open = rounds.reduce((n, r) => n + r.changesOpen, 0);
    // Only a resubmission waits for them (an approved report is not sent again).
    const resubmitting = rounds[rounds.length - 1]?.outcome === 'resubmit';
    return { rounds: [...rounds].reverse(), clocks, mayPack, open, resubmitting, ...lifecycleForms(access, review, QA_EVENTS), notice: noticeFrom(query.done, NOTICES) };
  }

  /** The round's letter as a document: the first upload makes it, a later one is its next version. */
  @FormRoute(':round/letter', { interceptors: [PageUploadInterceptor] })
  letterPage(): FormPage<RoundSubject> {
    return {
      load: ({ params }) => this.round(params),
      fields: [{ name: 'file', label: 'The letter', errorLabel: 'the letter', kind: 'file', hint: `PDF, Word (.docx), OpenDocument text (.odt), plain text, PNG or JPEG.` }],
      submit: async (_, { req, params, actor }) => {
        const upload = req as UploadRequest & { file?: Parameters<QaRoundsService['uploadLetter']>[2] };
        if (upload.uploadRefusal) throw upload.uploadRefusal;
        await this.qa.uploadLetter(params.reviewId, params.round, upload.file, actor());
        return `/cases/${params.reviewId}/qa?done=QA_LETTER_UPLOADED`;
      },
      problems: (problems) => uploadProblems(problems),
      eachProblem: true,
      view: ({ review, round }, { req, params }) => ({
        review,
        heading: `Upload the Home Office’s letter of round ${round.round}`,
        about: [
          { key: { text: 'Submitted' }, value: { text: ukDate(round.submittedAt) } },
          { key: { text: 'Letter' }, value: { text: round.letter ? `${round.letter.filename}, version ${round.letter.version}` : 'None uploaded yet' } },
        ],
        intro: round.letter ? 'This file becomes the next version of the letter; earlier versions are kept.' : 'The letter is kept with the review’s documents.',
        back: { href: `/cases/${params.reviewId}/qa`, text: 'Back to Home Office quality assurance' },
        action: `/cases/${params.reviewId}/qa/${params.round}/letter?_csrf=${encodeURIComponent(csrfTokenOf(req))}`,
        enctype: 'multipart/form-data',
        button: 'Upload the letter',
      }),
    };
  }

  /** The changes the round's letter asks for, one a line. */
  @FormRoute(':round/changes')
  changesPage(): FormPage<RoundSubject> {
    return {
      load: ({ params }) => this.round(params),
      fields: CHANGES_FIELDS,
      submit: async (_, { params, body, actor, own }) => {
        await this.qa.listChanges(params.reviewId, params.round, parseWith(listQaChangesSchema, { changes: linesOf(body?.changes) }, own), actor());
        return `/cases/${params.reviewId}/qa?done=QA_CHANGES_LISTED`;
      },
      problems: changesProblems,
      eachProblem: true,
      view: ({ review, round }, { params }) => ({
        review,
        heading: `List the changes the Home Office asks for in round ${round.round}`,
        about: [
          { key: { text: 'Outcome' }, value: { text: round.outcome ? (QA_OUTCOME_LABELS[round.outcome as keyof typeof QA_OUTCOME_LABELS] ?? round.outcome) : 'Awaiting the letter' } },
          { key: { text: 'Letter of' }, value: { text: round.letterDate ? ukDate(round.letterDate) : 'Not recorded' } },
          { key: { text: 'Listed already' }, value: { text: round.changes.length ? round.changes.map((c) => `${c.number}. ${c.text}`).join(' ') : 'None' } },
        ],
        intro: round.changes.length ? 'These are added after the ones listed already.' : null,
        back: { href: `/cases/${params.reviewId}/qa`, text: 'Back to Home Office quality assurance' },
        action: `/cases/${params.reviewId}/qa/${params.round}/changes`,
        button: 'Add to the list',
        closed: round.outcome ? null : `Record the outcome of round ${round.round} (the letter’s date and what it says) first.`,
      }),
    };
  }

  /** One change marked done: the day and what was done. */
  @FormRoute(':round/changes/:changeId/done')
  donePage(): FormPage<RoundSubject & { change: QaRound['changes'][number] }> {
    return {
      load: async ({ params }) => {
        const { review, round } = await this.round(params);
        const change = round.changes.find((c) => c.id === params.changeId);
        if (!change) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No such change in this round' });
        return { review, round, change };
      },
      fields: DONE_FIELDS,
      submit: async (input, { params, actor, ifMatch, own }) => {
        await this.qa.markDone(params.reviewId, params.round, params.changeId, parseWith(qaChangeDoneSchema(this.qa.today), input, own), actor(), ifMatch);
        return `/cases/${params.reviewId}/qa?done=QA_CHANGE_DONE`;
      },
      view: ({ review, round, change }, { params }) => ({
        review,
        heading: `Mark change ${change.number} of round ${round.round} as done`,
        about: [
          { key: { text: 'Asked for' }, value: { text: change.text } },
          { key: { text: 'Letter of' }, value: { text: round.letterDate ? ukDate(round.letterDate) : 'Not recorded' } },
        ],
        back: { href: `/cases/${params.reviewId}/qa`, text: 'Back to Home Office quality assurance' },
        action: `/cases/${params.reviewId}/qa/${params.round}/changes/${params.changeId}/done`,
        hidden: versions(change, review),
        button: 'Mark as done',
        closed: change.doneOn ? `It was marked done on ${ukDate(change.doneOn)}${change.note ? `: ${change.note}` : ''}.` : null,
      }),
    };
  }

  /** The review and its round `round` (404 when there is no such round). */
  private async round(params: Record<string, string>): Promise<RoundSubject> {
    const review = await this.forms.review(params.reviewId);
    const round = (await this.qa.rounds(params.reviewId)).find((r) => String(r.round) === params.round);
    if (!round) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'No such round' });
    return { review, round };
  }
}
