import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
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
import { CspsService } from '../../csps/csps.service';
import { ReviewLifecycleService, ReviewView } from '../../reviews/review-lifecycle.service';
import { caseNavigation, changesSince, may, staleSummary } from '../case-pages';
import { FieldSpec, FormBody, formBody, FormProblem, formView, ifMatchOf, Refusal } from '../forms';
import { IMR_KIND_LABELS, optionsOf } from '../labels';
import { ukDate, WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { cspNameOf, formValues } from './more-page-support';
import { accessOf, actorOf, noticeOf, submitForm } from './page-support';

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

/** The IMRs a caller sees: all of them, or their own agency's (the API list's restriction). */
function agencyIdsOf(access: AccessContext): readonly string[] | null {
  return access.restriction ? (access.restriction.agencyIds ?? []) : null;
}

/**
 * The IMR tracker: per agency requested, due (with its clock), received (with its quality check
 * and sign-off), extensions, waivers; and the forms to commission an IMR, record its receipt,
 * grant an extension, record its quality check and sign-off, and waive it, through ImrsService.
 */
@ApiExcludeController()
@Controller('cases/:reviewId/imrs')
export class ImrsPagesController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly imrs: ImrsService,
    private readonly agencies: AgenciesService,
    private readonly views: WebViews,
  ) {}

  @Get()
  async tracker(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    const access = accessOf(req);
    const review = await this.reviews.get(reviewId);
    const imrs = await this.imrs.list(reviewId, agencyIdsOf(access));
    const agencyNames = new Map((await this.agencies.list()).map((a) => [a.id, a.name]));
    const clocks = new Map(review.clocks.filter((c) => c.kind === 'imr_due').map((c) => [c.subjectId, c]));
    const rows = imrs.map((imr) => ({ ...imr, agencyName: agencyNames.get(imr.agencyId) ?? '', clock: clocks.get(imr.id) ?? null }));
    return this.views.render(req, res, 'pages/cases/imrs.njk', {
      pageTitle: `IMRs – ${review.reference}`,
      heading: 'IMRs',
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      rows,
      counts: { total: imrs.length, outstanding: imrs.filter((i) => i.state === 'outstanding').length },
      mayWrite: may(access, 'imrs.write'),
      maySignOff: may(access, 'imrs.signOff'),
      maySubmit: may(access, 'imrs.submit'),
      caseNav: caseNavigation(access, reviewId, 'imrs'),
      notice: noticeOf(done),
    });
  }

  @Get('new')
  async newImr(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string) {
    return this.renderCommission(req, res, reviewId, {}, [], 200);
  }

  /** One IMR per agency chosen, with one due date, in one transaction (ImrsService.commissionMany). */
  @Post()
  async commission(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    const agencyIds = formValues(raw, 'agencyIds');
    return submitForm(
      this.views,
      res,
      COMMISSION_FIELDS,
      body,
      async (input) => {
        await this.imrs.commissionMany(reviewId, parseInput(commissionImrsSchema(this.imrs.today), { ...input, agencyIds }), actorOf(req));
        return `/cases/${reviewId}/imrs?done=IMR_COMMISSIONED`;
      },
      (problems, refusal) => this.renderCommission(req, res, reviewId, body, problems, refusal.status, refusal, agencyIds),
    );
  }

  @Get(':imrId/receipt')
  async receiptPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    return this.renderImrForm(req, res, reviewId, imrId, 'receipt', {}, [], 200);
  }

  @Post(':imrId/receipt')
  async receive(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      RECEIPT_FIELDS,
      body,
      async (input) => {
        await this.imrs.receive(reviewId, imrId, parseInput(receiveImrSchema(this.imrs.today), input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/imrs?done=IMR_RECEIVED`;
      },
      (problems, refusal) => this.renderImrForm(req, res, reviewId, imrId, 'receipt', body, problems, refusal.status, refusal),
    );
  }

  @Get(':imrId/extensions')
  async extensionPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    return this.renderImrForm(req, res, reviewId, imrId, 'extension', {}, [], 200);
  }

  @Post(':imrId/extensions')
  async extend(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      EXTENSION_FIELDS,
      body,
      async (input) => {
        await this.imrs.extend(reviewId, imrId, parseInput(extendImrSchema(this.imrs.today), input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/imrs?done=IMR_EXTENDED`;
      },
      (problems, refusal) => this.renderImrForm(req, res, reviewId, imrId, 'extension', body, problems, refusal.status, refusal),
    );
  }

  @Get(':imrId/quality-check')
  async qualityCheckPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    return this.renderImrForm(req, res, reviewId, imrId, 'qualityCheck', {}, [], 200);
  }

  @Post(':imrId/quality-check')
  async qualityCheck(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      QUALITY_CHECK_FIELDS,
      body,
      async (input) => {
        await this.imrs.qualityCheck(reviewId, imrId, parseInput(qualityCheckImrSchema(this.imrs.today), input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/imrs?done=IMR_QUALITY_CHECKED`;
      },
      (problems, refusal) => this.renderImrForm(req, res, reviewId, imrId, 'qualityCheck', body, problems, refusal.status, refusal),
    );
  }

  @Get(':imrId/sign-off')
  async signOffPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    return this.renderImrForm(req, res, reviewId, imrId, 'signOff', {}, [], 200);
  }

  @Post(':imrId/sign-off')
  async signOff(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      SIGN_OFF_FIELDS,
      body,
      async (input) => {
        await this.imrs.signOff(reviewId, imrId, parseInput(signOffImrSchema(this.imrs.today), input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/imrs?done=IMR_SIGNED_OFF`;
      },
      (problems, refusal) => this.renderImrForm(req, res, reviewId, imrId, 'signOff', body, problems, refusal.status, refusal),
    );
  }

  @Get(':imrId/waiver')
  async waiverPage(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    return this.renderImrForm(req, res, reviewId, imrId, 'waiver', {}, [], 200);
  }

  @Post(':imrId/waiver')
  async waive(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Body() raw: unknown) {
    const body = formBody(raw);
    return submitForm(
      this.views,
      res,
      WAIVER_FIELDS,
      body,
      async (input) => {
        await this.imrs.waive(reviewId, imrId, parseInput(waiveImrSchema, input), actorOf(req), ifMatchOf(body.version));
        return `/cases/${reviewId}/imrs?done=IMR_WAIVED`;
      },
      (problems, refusal) => this.renderImrForm(req, res, reviewId, imrId, 'waiver', body, problems, refusal.status, refusal),
    );
  }

  private async renderCommission(
    req: WebRequest,
    res: Response,
    reviewId: string,
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
    chosen: readonly string[] = [],
  ) {
    const review = await this.reviews.get(reviewId);
    const agencies = await this.agencies.list();
    const names = new Map(agencies.map((a) => [a.id, a.name]));
    const outstanding = new Set((await this.imrs.list(reviewId, null)).filter((i) => i.state === 'outstanding').map((i) => i.agencyId));
    const form = formView(COMMISSION_FIELDS, { body, problems: problems.filter((p) => !p.field.startsWith('agencyIds')) });
    const agencyErrors = agencyProblems(problems, chosen, names);
    return this.views.render(
      req,
      res,
      'pages/cases/imr-commission.njk',
      {
        pageTitle: `Commission IMRs – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: 'Commission IMRs',
        back: { href: `/cases/${reviewId}/imrs`, text: 'Back to IMRs' },
        action: `/cases/${reviewId}/imrs`,
        agencies: {
          error: agencyErrors.length > 0 ? agencyErrors.join('. ') : null,
          items: agencies.map((a) => ({
            value: a.id,
            text: a.name,
            checked: chosen.includes(a.id),
            hint: outstanding.has(a.id) ? { text: 'An IMR from this agency is outstanding' } : undefined,
          })),
        },
        fields: form.fields,
        errorList: [...agencyErrors.map((text) => ({ text, href: '#agencyIds' })), ...form.errorList, ...summaryOf(refusal)],
      },
      status,
    );
  }

  private async renderImrForm(
    req: WebRequest,
    res: Response,
    reviewId: string,
    imrId: string,
    which: ImrFormKind,
    body: FormBody,
    problems: FormProblem[],
    status: number,
    refusal?: Refusal,
  ) {
    const review: ReviewView = await this.reviews.get(reviewId);
    const imr: ImrView = await this.imrs.get(reviewId, imrId);
    const agencyName = (await this.agencies.list()).find((a) => a.id === imr.agencyId)?.name ?? '';
    const spec = IMR_FORMS[which];
    const stale = !!refusal?.stale && /^\d{1,9}$/.test(body.reviewVersion ?? '');
    const values = spec.values?.(imr) ?? {};
    const form = formView(spec.fields, stale ? { values } : { body, problems, values });
    let errors: Record<string, unknown> = { errorList: [...form.errorList, ...summaryOf(refusal)] };
    if (stale) {
      const history = await this.reviews.history(reviewId, accessOf(req));
      const changes = changesSince(history, Number(body.reviewVersion), (e) => e.payload?.imrId === imrId);
      // What changed and who changed it (from the history), and what the IMR is now.
      errors = staleSummary('IMR', changes, `It is now ${stateInWords(imr)}${checksInWords(imr)}`);
    }
    const about = [
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
    return this.views.render(
      req,
      res,
      'pages/cases/form.njk',
      {
        pageTitle: `${spec.title} – ${agencyName} – ${review.reference}`,
        review,
        cspName: cspNameOf(await this.csps.list(), review.cspId),
        heading: spec.heading(agencyName),
        intro: spec.intro,
        about,
        back: { href: `/cases/${reviewId}/imrs`, text: 'Back to IMRs' },
        action: `/cases/${reviewId}/imrs/${imrId}/${spec.path}`,
        hidden: { version: imr.version, reviewVersion: review.version },
        fields: form.fields,
        button: spec.button,
        warning: spec.warning ?? false,
        closed: spec.closed(imr),
        ...errors,
      },
      status,
    );
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
  },
  extension: {
    fields: EXTENSION_FIELDS,
    path: 'extensions',
    title: 'Grant an extension',
    heading: (agency) => `Grant an extension to ${agency}`,
    button: 'Grant the extension',
    closed: onlyOutstanding,
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

/** A refusal's words that are not about one field (a 409's message and reasons). */
export function summaryOf(refusal: Refusal | undefined): Array<{ text: string }> {
  if (!refusal) return [];
  return [...(refusal.summary ? [{ text: refusal.summary }] : []), ...refusal.reasons.map((text) => ({ text }))];
}
