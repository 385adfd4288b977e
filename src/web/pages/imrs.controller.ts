import type { AccessContext } from '../../access/access.service';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { IMR_KINDS } from '../../casefile/entities';
import { commissionImrsSchema } from '../../casefile/imrs/imrs.schemas';
import { ImrsService } from '../../casefile/imrs/imrs.service';
import { parseInput } from '../../infrastructure/http/validation';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import { may } from '../case-pages';
import { FieldSpec, FormProblem } from '../forms';
import { aboutImr, checksInWords, IMR_FORMS, stateInWords } from './imr-forms';
import type { ImrFormKind, ImrView } from './imr-forms';
import { FormPages, FormRoute, PageController, summaryOf, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { IMR_KIND_LABELS, optionsOf } from '../labels';
import { formValues } from './more-page-support';
import { accessOf, noticeOf } from './page-support';

/** The commissioning form: the agencies are checkboxes (agencyIds, drawn by the template), then these. */
const COMMISSION_FIELDS: FieldSpec[] = [
  { name: 'kind', label: 'What each agency is asked for', kind: 'radios', options: optionsOf(IMR_KINDS, IMR_KIND_LABELS) },
  { name: 'authorName', label: 'Author', kind: 'text', optional: true, hint: 'Independent of the line management of the staff involved. Leave empty when you ask several agencies.' },
  { name: 'requestedOn', label: 'Date requested', kind: 'date' },
  { name: 'dueOn', label: 'Due date', kind: 'date', hint: 'The same for every agency chosen. Six to eight weeks after the request is common practice.' },
];

/** What the service said about the chosen agencies (`agencyIds`, `agencyIds.<index>`), as sentences naming each. */
function agencyProblems(problems: readonly FormProblem[], chosen: readonly string[], names: ReadonlyMap<string, string>): string[] {
  return problems
    .filter((p) => p.field === 'agencyIds' || p.field.startsWith('agencyIds.'))
    .map((p) => {
      if (p.field === 'agencyIds') return /at least one|required|expected array/i.test(p.message) ? 'Select at least one agency' : `Agencies: ${p.message}`;
      const name = names.get(chosen[Number(p.field.split('.')[1])] ?? '') ?? 'An agency';
      const text = p.message.includes(name) ? p.message : `${name} ${p.message}`;
      return text.charAt(0).toUpperCase() + text.slice(1);
    });
}

type ImrSubject = { review: ReviewView; imr: ImrView; agencyName: string };

/** The IMRs a caller sees: all of them, or their own agency's (the API list's restriction). */
function agencyIdsOf(access: AccessContext): readonly string[] | null {
  return access.restriction ? (access.restriction.agencyIds ?? []) : null;
}

/**
 * The IMR tracker: per agency requested, due (with its clock), received (with its quality check
 * and sign-off), extensions, waivers; and the forms to commission an IMR, record its receipt,
 * grant an extension, record its quality check and sign-off, and waive it, through ImrsService.
 */
@PageController('cases/:reviewId/imrs')
export class ImrsPagesController {
  constructor(private readonly imrs: ImrsService, private readonly agencies: AgenciesService, readonly forms: FormPages) {}

  @TabRoute('', { template: 'pages/cases/imrs.njk', key: 'imrs', heading: 'IMRs' })
  async tracker(review: ReviewView, { req, params: { reviewId }, query }: TabContext) {
    const access = accessOf(req);
    const imrs = await this.imrs.list(reviewId, agencyIdsOf(access));
    const agencyNames = new Map((await this.agencies.list()).map((a) => [a.id, a.name]));
    const clocks = new Map(review.clocks.filter((c) => c.kind === 'imr_due').map((c) => [c.subjectId, c]));
    const rows = imrs.map((imr) => ({ ...imr, agencyName: agencyNames.get(imr.agencyId) ?? '', clock: clocks.get(imr.id) ?? null }));
    return {
      rows,
      counts: { total: imrs.length, outstanding: imrs.filter((i) => i.state === 'outstanding').length },
      mayWrite: may(access, 'imrs.write'),
      maySignOff: may(access, 'imrs.signOff'),
      maySubmit: may(access, 'imrs.submit'),
      notice: noticeOf(query.done),
    };
  }

  /** One IMR per agency chosen, with one due date, in one transaction (ImrsService.commissionMany). */
  @FormRoute('new', { post: '' })
  commissionPage(): FormPage<{ review: ReviewView; agencies: Array<{ id: string; name: string }>; outstanding: Set<string> }> {
    return {
      template: 'pages/cases/imr-commission.njk',
      load: async ({ params }) => ({
        review: await this.forms.review(params.reviewId),
        agencies: await this.agencies.list(),
        outstanding: new Set((await this.imrs.list(params.reviewId, null)).filter((i) => i.state === 'outstanding').map((i) => i.agencyId)),
      }),
      fields: COMMISSION_FIELDS,
      submit: async (input, { params, raw, actor }) => {
        await this.imrs.commissionMany(params.reviewId, parseInput(commissionImrsSchema(this.imrs.today), { ...input, agencyIds: formValues(raw, 'agencyIds') }), actor());
        return `/cases/${params.reviewId}/imrs?done=IMR_COMMISSIONED`;
      },
      apart: {
        about: (field) => field.startsWith('agencyIds'),
        words: (problems, { raw }, { agencies }) =>
          agencyProblems(problems, formValues(raw, 'agencyIds'), new Map(agencies.map((a) => [a.id, a.name]))).map((text) => ({ text, href: '#agencyIds' })),
      },
      view: ({ review, agencies, outstanding }, { params, raw }, apart) => ({
        pageTitle: `Commission IMRs – ${review.reference}`,
        review,
        heading: 'Commission IMRs',
        back: { href: `/cases/${params.reviewId}/imrs`, text: 'Back to IMRs' },
        action: `/cases/${params.reviewId}/imrs`,
        agencies: {
          error: apart.length > 0 ? apart.map((e) => e.text).join('. ') : null,
          items: agencies.map((a) => ({
            value: a.id,
            text: a.name,
            checked: formValues(raw, 'agencyIds').includes(a.id),
            hint: outstanding.has(a.id) ? { text: 'An IMR from this agency is outstanding' } : undefined,
          })),
        },
      }),
    };
  }

  /** The IMR's forms (receipt, extension, quality check, sign-off, waiver), as IMR_FORMS describes them. */
  @FormRoute(':imrId/receipt', { page: 'receipt' })
  @FormRoute(':imrId/extensions', { page: 'extension' })
  @FormRoute(':imrId/quality-check', { page: 'qualityCheck' })
  @FormRoute(':imrId/sign-off', { page: 'signOff' })
  @FormRoute(':imrId/waiver', { page: 'waiver' })
  imrPage(which: ImrFormKind): FormPage<ImrSubject> {
    const spec = IMR_FORMS[which];
    return {
      load: async ({ params }) => {
        const review = await this.forms.review(params.reviewId);
        const imr = await this.imrs.get(params.reviewId, params.imrId);
        return { review, imr, agencyName: (await this.agencies.list()).find((a) => a.id === imr.agencyId)?.name ?? '' };
      },
      fields: spec.fields,
      values: ({ imr }) => spec.values?.(imr) ?? {},
      submit: async (input, { params, actor, ifMatch }) => {
        await spec.submit(this.imrs, params, parseInput(spec.schema(this.imrs.today), input) as never, actor(), ifMatch);
        return `/cases/${params.reviewId}/imrs?done=${spec.done}`;
      },
      stale: { what: 'IMR', about: (e, { params }) => e.payload?.imrId === params.imrId, now: ({ imr }) => `It is now ${stateInWords(imr)}${checksInWords(imr)}` },
      view: ({ review, imr, agencyName }, { params }) => ({
        review,
        title: `${spec.title} – ${agencyName}`,
        heading: spec.heading(agencyName),
        intro: spec.intro,
        about: aboutImr(imr, agencyName),
        back: { href: `/cases/${params.reviewId}/imrs`, text: 'Back to IMRs' },
        action: `/cases/${params.reviewId}/imrs/${params.imrId}/${spec.path}`,
        hidden: versions(imr, review),
        button: spec.button,
        warning: spec.warning,
        closed: spec.closed(imr),
      }),
    };
  }
}

/** The pages of the team, people and meetings take it from here. */
export { summaryOf };
