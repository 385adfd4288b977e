import {  } from '@nestjs/common';
import type { AccessContext } from '../../access/access.service';
import { AgenciesService } from '../../casefile/agencies/agencies.service';
import { IMR_KINDS } from '../../casefile/entities';
import {
  commissionImrsSchema,
  extendImrSchema,
  qualityCheckImrSchema,
  receiveImrSchema,
  signOffImrSchema,
  waiveImrSchema,
} from '../../casefile/imrs/imrs.schemas';
import { ImrsService } from '../../casefile/imrs/imrs.service';
import { parseInput } from '../../infrastructure/http/validation';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import type { ZodType } from 'zod';
import { may } from '../case-pages';
import { FieldSpec, FormProblem } from '../forms';
import { FormPages, FormRoute, PageController, summaryOf, TabRoute, versions } from './form-page';
import type { FormPage, TabContext } from './form-page';
import { IMR_KIND_LABELS, optionsOf } from '../labels';
import { ukDate } from '../web-views';
import { formValues } from './more-page-support';
import { accessOf, noticeOf } from './page-support';

const RECEIPT_FIELDS: FieldSpec[] = [{ name: 'receivedOn', label: 'Date received', kind: 'date', hint: 'For example, 30 3 2026' }];

const EXTENSION_FIELDS: FieldSpec[] = [
  { name: 'newDueOn', label: 'New due date', kind: 'date' },
  { name: 'reason', label: 'Reason for the extension', kind: 'textarea', hint: 'This is kept in the review’s history.' },
  { name: 'grantedOn', label: 'Date the extension was granted', kind: 'date' },
];

const QUALITY_CHECK_FIELDS: FieldSpec[] = [
  { name: 'checkedOn', label: 'Date of the quality check', kind: 'date', hint: 'The date the IMR was checked. It cannot be before the IMR was received.' },
];

const SIGN_OFF_FIELDS: FieldSpec[] = [
  {
    name: 'signedOffBy',
    label: 'Who signed it off',
    kind: 'text',
    hint: 'The senior manager in the agency who signed the IMR off, and their role.',
    autocomplete: 'off',
  },
  { name: 'signedOffOn', label: 'Date signed off', kind: 'date' },
];

const WAIVER_FIELDS: FieldSpec[] = [
  { name: 'reason', label: 'Reason for waiving the IMR', kind: 'textarea', hint: 'This is kept in the review’s history.' },
];

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

type ImrView = Awaited<ReturnType<ImrsService['get']>>;
type ImrSubject = { review: ReviewView; imr: ImrView; agencyName: string };
type Params = Record<string, string>;

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

type ImrFormKind = 'receipt' | 'extension' | 'qualityCheck' | 'signOff' | 'waiver';

interface ImrForm {
  fields: FieldSpec[];
  /** The route under the IMR (the API's own path segment). */
  path: string;
  title: string;
  heading: (agencyName: string) => string;
  intro?: string;
  button: string;
  warning?: boolean;
  /** What the form starts from: the values already recorded (a correction starts from them). */
  values?: (imr: ImrView) => Record<string, string | null>;
  /** Why the form is not offered in this state (the service would refuse it), else null. */
  closed: (imr: ImrView) => string | null;
  schema: (today: () => string) => ZodType;
  /** The service's call (each takes the IMR's If-Match) and the confirmation after it. */
  submit: (imrs: ImrsService, p: Params, input: never, actor: string, ifMatch: string) => Promise<unknown>;
  done: string;
}

/** Receipt, extension and waiver apply to an outstanding IMR; quality check and sign-off to a received one (ImrsService). */
const onlyOutstanding = (imr: ImrView) => (imr.state === 'outstanding' ? null : `Nothing more can be recorded: ${stateInWords(imr)}.`);
const onlyReceived = (imr: ImrView) =>
  imr.state === 'received'
    ? null
    : imr.state === 'waived'
      ? `Nothing more can be recorded: ${stateInWords(imr)}.`
      : `The IMR has not been received yet (${stateInWords(imr)}): record its receipt first.`;

const IMR_FORMS: Readonly<Record<ImrFormKind, ImrForm>> = {
  receipt: {
    fields: RECEIPT_FIELDS,
    path: 'receipt',
    title: 'Record receipt',
    heading: (agency) => `Record receipt of the IMR from ${agency}`,
    button: 'Record receipt',
    closed: onlyOutstanding,
    schema: receiveImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.receive(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_RECEIVED',
  },
  extension: {
    fields: EXTENSION_FIELDS,
    path: 'extensions',
    title: 'Grant an extension',
    heading: (agency) => `Grant an extension to ${agency}`,
    button: 'Grant the extension',
    closed: onlyOutstanding,
    schema: extendImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.extend(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_EXTENDED',
  },
  qualityCheck: {
    fields: QUALITY_CHECK_FIELDS,
    path: 'quality-check',
    title: 'Record quality check',
    heading: (agency) => `Record the quality check of the IMR from ${agency}`,
    intro: 'Record the date the IMR was checked for quality, once it was received.',
    button: 'Record the quality check',
    values: (imr) => ({ checkedOn: imr.qualityCheckedOn }),
    closed: onlyReceived,
    schema: qualityCheckImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.qualityCheck(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_QUALITY_CHECKED',
  },
  signOff: {
    fields: SIGN_OFF_FIELDS,
    path: 'sign-off',
    title: 'Record sign-off',
    heading: (agency) => `Record the sign-off of the IMR from ${agency}`,
    intro: 'Record who in the agency signed the IMR off, and when.',
    button: 'Record the sign-off',
    values: (imr) => ({ signedOffBy: imr.signedOffBy, signedOffOn: imr.signedOffOn }),
    closed: onlyReceived,
    schema: signOffImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.signOff(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_SIGNED_OFF',
  },
  waiver: {
    fields: WAIVER_FIELDS,
    path: 'waiver',
    title: 'Waive the IMR',
    heading: (agency) => `Waive the IMR from ${agency}`,
    intro: 'The agency will no longer be expected to send it, and its deadline stops. A waived IMR cannot be received or extended afterwards.',
    button: 'Waive the IMR',
    warning: true,
    closed: onlyOutstanding,
    schema: () => waiveImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.waive(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_WAIVED',
  },
};

function stateInWords(imr: ImrView): string {
  if (imr.receivedOn) return `received on ${ukDate(imr.receivedOn)}`;
  if (imr.waivedReason) return `waived (${imr.waivedReason})`;
  return `outstanding, due on ${ukDate(imr.dueOn)}`;
}

/** A received IMR's quality check and sign-off, in words (", quality checked on …, signed off by … on …"). */
function checksInWords(imr: ImrView): string {
  if (imr.state !== 'received') return '';
  const checked = imr.qualityCheckedOn ? `quality checked on ${ukDate(imr.qualityCheckedOn)}` : 'not yet quality checked';
  const signed = imr.signedOffOn ? `signed off by ${imr.signedOffBy ?? ''} on ${ukDate(imr.signedOffOn)}` : 'not yet signed off';
  return `, ${checked}, ${signed}`;
}

/** What the IMR's forms show about it. */
function aboutImr(imr: ImrView, agencyName: string) {
  return [
    { key: { text: 'Agency' }, value: { text: agencyName } },
    { key: { text: 'Requested' }, value: { text: ukDate(imr.requestedOn) } },
    { key: { text: 'Due' }, value: { text: ukDate(imr.dueOn) } },
    { key: { text: 'State' }, value: { text: stateInWords(imr) } },
    ...(imr.state === 'received'
      ? [
          { key: { text: 'Quality check' }, value: { text: imr.qualityCheckedOn ? `Checked on ${ukDate(imr.qualityCheckedOn)}` : 'Not yet checked' } },
          { key: { text: 'Sign-off' }, value: { text: imr.signedOffOn ? `Signed off by ${imr.signedOffBy ?? ''} on ${ukDate(imr.signedOffOn)}` : 'Not yet signed off' } },
        ]
      : []),
  ];
}

export { summaryOf };
