import { changeProceedingStatusSchema, recordProceedingSchema, updateProceedingSchema } from '../../casefile/proceedings/proceedings.schemas';
import { ProceedingsService } from '../../casefile/proceedings/proceedings.service';
import { parseInput } from '../../infrastructure/http/validation';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import type { FormBody } from '../forms';
import { ukDate } from '../web-views';
import {
  DESCRIPTION_FIELD,
  formProblems,
  inWords,
  keyDateRowCount,
  keyDateValues,
  kindOf,
  PROCEEDING_STATUS_LABELS,
  PROCEEDING_TYPE_NOUNS,
  readKeyDates,
  RECORD_FIELDS,
  rowFields,
  STATUS_FIELDS,
  statusInWords,
  withoutRows,
} from './proceedings-forms';
import type { ProceedingView, Which } from './proceedings-forms';
import { FormPages, FormRoute, PageController, summaryOf, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { accessOf, noticeOf } from './page-support';

type Subject = { review: ReviewView; proceeding: ProceedingView };

/** The form's key-date rows: as many as it had (or those recorded, on a record), plus spare ones. */
const keyDateRows = (body: FormBody | null, recorded = 0) => rowFields(keyDateRowCount(body, recorded));

/**
 * Parallel proceedings (criminal investigation and trial, inquest, IOPC investigation, other
 * reviews): the list with kind, status and key dates, and whether publication must wait; the
 * forms to record proceedings, correct their description and key dates, and change their
 * status, through the service the proceedings API routes use.
 */
@PageController('cases/:reviewId/proceedings')
export class ProceedingsPagesController {
  constructor(private readonly proceedings: ProceedingsService, readonly forms: FormPages) {}

  @TabRoute('', { template: 'pages/cases/proceedings.njk', key: 'proceedings', heading: 'Parallel proceedings' })
  async list(review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
    const all = await this.proceedings.list(reviewId);
    const rows = all.map((p) => ({
      ...p,
      typeText: kindOf(p),
      // What a row's links are about, for screen readers: the kind, numbered when there are several of it.
      about: all.filter((o) => o.type === p.type).length > 1
        ? `${PROCEEDING_TYPE_NOUNS[p.type]} (${all.filter((o) => o.type === p.type).indexOf(p) + 1})`
        : PROCEEDING_TYPE_NOUNS[p.type],
      statusText: PROCEEDING_STATUS_LABELS[p.status],
    }));
    return {
      rows,
      activeCount: rows.filter((r) => r.status === 'active').length,
      publicationWaits: review.facts.activeCriminalProceedings,
      mayWrite: may(accessOf(req), 'proceedings.write'),
      notice: noticeOf(query.done),
    };
  }

  @FormRoute('new', { post: '' })
  recordPage(): FormPage {
    return {
      fields: ({ body }) => [...RECORD_FIELDS, DESCRIPTION_FIELD, ...keyDateRows(body)],
      submit: async (input, { params, body, actor }) => {
        const { keyDates } = readKeyDates({ ...input }, keyDateRowCount(body, 0));
        await this.proceedings.record(params.reviewId, parseInput(recordProceedingSchema, { ...withoutRows(input), ...(keyDates.length > 0 ? { keyDates } : {}) }), actor());
        return `/cases/${params.reviewId}/proceedings?done=PROCEEDINGS_RECORDED`;
      },
      problems: (problems, input, { body }) => formProblems(problems, readKeyDates({ ...input }, keyDateRowCount(body, 0)).rows),
      summary: (refusal) => inWords(summaryOf(refusal)),
      view: (review, { params, body }) => ({
        review,
        heading: 'Record parallel proceedings',
        intro: 'A criminal investigation or trial, an inquest, an IOPC investigation or another review running alongside this one. Key dates are optional: leave the ones you do not need empty.',
        back: { href: `/cases/${params.reviewId}/proceedings`, text: 'Back to parallel proceedings' },
        action: `/cases/${params.reviewId}/proceedings`,
        hidden: { keyDateRows: keyDateRowCount(body, 0) },
        button: 'Record the proceedings',
      }),
    };
  }

  /** The correction form (description and key dates, as recorded) or the status form. */
  @FormRoute(':proceedingId/correct', { page: 'correct' })
  @FormRoute(':proceedingId/status', { page: 'status' })
  changePage(which: Which): FormPage<Subject> {
    const correct = which === 'correct';
    return {
      load: async ({ params }) => ({ review: await this.forms.review(params.reviewId), proceeding: await this.proceedings.get(params.reviewId, params.proceedingId) }),
      fields: ({ body }, s) => (correct ? [DESCRIPTION_FIELD, ...keyDateRows(body, s?.proceeding.keyDates.length)] : STATUS_FIELDS),
      values: ({ proceeding }) => (correct ? { description: proceeding.description, ...keyDateValues(proceeding.keyDates) } : {}),
      submit: async (input, { params, body, actor, ifMatch }) => {
        const { reviewId, proceedingId } = params;
        if (correct) {
          // Every field is sent: an emptied description clears it, the rows left are the key dates.
          const { keyDates } = readKeyDates({ ...input }, keyDateRowCount(body, 0));
          await this.proceedings.update(reviewId, proceedingId, parseInput(updateProceedingSchema, { description: input.description ?? null, keyDates }), actor(), ifMatch);
        } else {
          await this.proceedings.changeStatus(reviewId, proceedingId, parseInput(changeProceedingStatusSchema(this.proceedings.today), input), actor(), ifMatch);
        }
        return `/cases/${reviewId}/proceedings?done=${correct ? 'PROCEEDINGS_CORRECTED' : 'PROCEEDINGS_STATUS_CHANGED'}`;
      },
      problems: (problems, input, { body }) => (correct ? formProblems(problems, readKeyDates({ ...input }, keyDateRowCount(body, 0)).rows) : problems),
      summary: (refusal) => inWords(summaryOf(refusal)),
      stale: {
        what: 'record of proceedings',
        about: (e, { params }) => e.payload?.proceedingId === params.proceedingId,
        // What the proceedings are now.
        now: ({ proceeding: p }) => `It is now ${statusInWords(p)}${p.keyDates.length ? `, with ${p.keyDates.length === 1 ? '1 key date' : `${p.keyDates.length} key dates`}` : ''}`,
      },
      view: ({ review, proceeding }, { params, body }) => {
        const noun = PROCEEDING_TYPE_NOUNS[proceeding.type];
        return {
          review,
          heading: correct ? `Correct the details of ${noun}` : `Change the status of ${noun}`,
          about: [
            { key: { text: 'Kind' }, value: { text: kindOf(proceeding) } },
            { key: { text: 'Status' }, value: { text: statusInWords(proceeding).replace(/^./, (c) => c.toUpperCase()) } },
            ...(!correct && proceeding.keyDates.length
              ? [{ key: { text: 'Key dates' }, value: { text: proceeding.keyDates.map((k) => `${k.label}: ${ukDate(k.date)}`).join('; ') } }]
              : []),
          ],
          intro: correct
            ? 'Change the description, correct a key date, or add one. Empty a key date’s boxes to remove it.'
            : 'The change and its date go into the review’s history. While criminal proceedings are active, the report cannot be published.',
          back: { href: `/cases/${params.reviewId}/proceedings`, text: 'Back to parallel proceedings' },
          action: `/cases/${params.reviewId}/proceedings/${params.proceedingId}/${which}`,
          hidden: { ...versions(proceeding, review), ...(correct ? { keyDateRows: keyDateRowCount(body, proceeding.keyDates.length) } : {}) },
          button: correct ? 'Save the changes' : 'Change the status',
        };
      },
    };
  }
}
