import { applyDecorators, Body, Controller, Get, Injectable, Param, Post, Query, Req, Res, UseInterceptors } from '@nestjs/common';
import type { NestInterceptor, Type } from '@nestjs/common';
import type { Response } from 'express';
import { ApiExcludeController } from '@nestjs/swagger';
import { CspsService } from '../../csps/csps.service';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import type { ReviewView } from '../../reviews/review-lifecycle.service';
import type { AccessContext } from '../../access/access.service';
import { caseNavigation, changesSince, HistoryEntry, staleSummary } from '../case-pages';
import { FieldSpec, FieldView, FormBody, formBody, FormProblem, formView, ifMatchOf, mergeProblems, readForm, Refusal, refusalOf } from '../forms';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { parseInput } from '../../infrastructure/http/validation';
import type { z } from 'zod';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { cspNameOf } from './more-page-support';
import { accessOf, actorOf } from './page-support';

/**
 * The page layer: a form page described once (its fields, what it is about, the service call,
 * where to go after), run the one way by FormPages. GET shows the form; POST reads the fields,
 * lets the service decide and goes on (303) or shows the same form again with the status the
 * service gave, its problems field by field and the values typed; a 412 on a record that
 * changed shows what changed and who changed it instead (staleSummary). CSRF, If-Match and the
 * access guard are as for any page: the guard ran before, the form carries its versions.
 */

/** What a form's handlers know of the request. */
export interface FormContext {
  req: WebRequest;
  res: Response;
  /** The route's parameters (reviewId, imrId…). */
  params: Record<string, string>;
  /** The submitted form; null when the form is shown afresh (or again as it is now, after a 412). */
  body: FormBody | null;
  /** The raw body (repeated fields such as checkboxes). */
  raw: unknown;
  /** The form's own problems (a date it could not read), on a POST. */
  own: FormProblem[];
  /** If-Match from the version the form carried ('' when none: the service refuses it, 428). */
  ifMatch: string;
  /** Who is acting (401 when nobody is signed in). */
  actor: () => string;
}

export type Values = Record<string, string | null | undefined>;
type Summary = Array<{ text: string; href?: string }>;

export interface FormPage<S = ReviewView> {
  /** What the page is about, loaded to show the form (not to submit it); the review of the route unless given. */
  load?: (ctx: FormContext) => Promise<S>;
  /** The fields; a function when they depend on the record or on what was sent (rows). */
  fields: readonly FieldSpec[] | ((ctx: FormContext, subject?: S) => readonly FieldSpec[] | Promise<readonly FieldSpec[]>);
  /** What the form starts from (a correction starts from what is stored; a task's link may choose an option). */
  values?: (subject: S, ctx: FormContext) => Values;
  /** The page around the form: for pages/cases/form.njk a CaseFormView, else the template's own context. */
  view: (subject: S, ctx: FormContext, apart: Summary) => CaseFormView | Record<string, unknown>;
  /** Problems about inputs the template draws itself (checkboxes): in words, first in the summary and given to view. */
  apart?: { about: (field: string) => boolean; words: (problems: FormProblem[], ctx: FormContext, subject: S) => Summary };
  /** A template other than pages/cases/form.njk. */
  template?: string;
  /** Calls the service with what was typed (as readForm reads it); returns where to go next. */
  submit: (input: Record<string, unknown>, ctx: FormContext) => Promise<string>;
  /** A refusal the forms do not read themselves (a 403 naming the role): the page's own reading of the error, else null. */
  refused?: (error: unknown) => Refusal | null;
  /** The service's problems on the form's fields (renamed rows, codes in words). */
  problems?: (problems: FormProblem[], input: Record<string, unknown>, ctx: FormContext) => FormProblem[];
  /** Every problem as the service gave it, several on one field too (not merged one a field). */
  eachProblem?: boolean;
  /** The refusal's words not about one field (default: its message and reasons). */
  summary?: (refusal: Refusal | undefined, error: unknown, ctx: FormContext, subject: S) => Summary;
  /** The drawn fields placed by the template's own parts (rows, checkbox groups): its result goes over `fields`. */
  arrange?: (fields: FieldView[], subject: S, ctx: FormContext) => Record<string, unknown>;
  /** A record with versions: after a 412, what changed since the form's reviewVersion, and what it is now. */
  stale?: { what: string; about?: (entry: HistoryEntry, ctx: FormContext) => boolean; now: (subject: S) => string | null };
}

/** A form about a review, as pages/cases/form.njk shows it. */
export interface CaseFormView {
  review: { reference: string };
  heading: string;
  /** The page title before the reference (the heading unless given). */
  title?: string;
  intro?: string | null;
  about?: Array<{ key: { text: string }; value: { text: string } }> | null;
  back: { href: string; text: string };
  action: string;
  enctype?: string;
  hidden?: Record<string, unknown>;
  button: string;
  warning?: boolean;
  closed?: string | null;
}

interface Shown {
  problems: FormProblem[];
  status: number;
  refusal?: Refusal;
  error?: unknown;
}

/** A refusal's words that are not about one field (a 409's message and reasons). */
export function summaryOf(refusal: Refusal | undefined): Array<{ text: string }> {
  if (!refusal) return [];
  return [...(refusal.summary ? [{ text: refusal.summary }] : []), ...refusal.reasons.map((text) => ({ text }))];
}

/**
 * Parses what the form read with the service's schema, refusing it with the form's own problems
 * too (a date or time it could not read), so that every problem shows at once.
 */
export function parseWith<T extends z.ZodTypeAny>(schema: T, input: unknown, own: readonly FormProblem[]): z.output<T> {
  let parsed: z.output<T>;
  try {
    parsed = parseInput(schema, input);
  } catch (error) {
    if (error instanceof RequestValidationError && own.length > 0) throw new RequestValidationError(mergeProblems(own, error.problems));
    throw error;
  }
  if (own.length > 0) throw new RequestValidationError([...own]);
  return parsed;
}

/** The form's version and the review's, for If-Match and for saying what changed after a 412. */
export function versions(record: { version: number } | null | undefined, review: { version: number }) {
  return { version: record?.version ?? 0, reviewVersion: review.version };
}

@Injectable()
export class FormPages {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly csps: CspsService,
    private readonly views: WebViews,
  ) {}

  /** The review a page is about (as the caller may read it, when access is given). */
  review(reviewId: string, access?: AccessContext): Promise<ReviewView> {
    return access ? this.reviews.get(reviewId, access) : this.reviews.get(reviewId);
  }

  /** A review's tab page (the list a form is reached from): its title, the review, its CSP's name and the tabs, then the page's own. */
  async tab(req: WebRequest, res: Response, tab: { template: string; key: string; heading: string; review: ReviewView; status?: number }, context: Record<string, unknown>) {
    const { review, heading } = tab;
    return this.views.render(req, res, tab.template, {
      pageTitle: `${heading} – ${review.reference}`,
      heading,
      review,
      cspName: cspNameOf(await this.csps.list(), review.cspId),
      caseNav: caseNavigation(accessOf(req), review.id, tab.key),
      ...context,
    }, tab.status ?? 200);
  }

  /** GET: the form, empty or as stored. */
  show<S>(page: FormPage<S>, req: WebRequest, res: Response, params: Record<string, string>): Promise<void> {
    return this.render(page, context(req, res, params, null, undefined), { problems: [], status: 200 });
  }

  /** POST: the service decides; then on (303) or the form again with what it said. */
  async post<S>(page: FormPage<S>, req: WebRequest, res: Response, params: Record<string, string>, raw: unknown): Promise<void> {
    const ctx = context(req, res, params, formBody(raw), raw);
    const fields = await fieldsOf(page, ctx);
    const { input, problems } = readForm(fields, ctx.body ?? {});
    ctx.own = problems;
    let next: string;
    try {
      next = await page.submit(input, ctx);
    } catch (error) {
      const refusal = page.refused?.(error) ?? refusalOf(error, fields.map((f) => f.name));
      if (!refusal) throw error;
      const said = page.problems ? page.problems(refusal.problems, input, ctx) : refusal.problems;
      return this.render(page, ctx, { problems: page.eachProblem ? said : mergeProblems(problems, said), status: refusal.status, refusal, error });
    }
    return this.views.redirect(res, next);
  }

  private async render<S>(page: FormPage<S>, ctx: FormContext, shown: Shown): Promise<void> {
    const subject = page.load ? await page.load(ctx) : ((await this.review(ctx.params.reviewId)) as S);
    const stale = !!page.stale && !!shown.refusal?.stale && /^\d{1,9}$/.test(ctx.body?.reviewVersion ?? '');
    // After a 412 the form shows the record as it is now, not what was typed.
    const now = stale ? { ...ctx, body: null } : ctx;
    const fields = await fieldsOf(page, now, subject);
    const values = page.values?.(subject, now) ?? {};
    const apart = page.apart;
    const problems = apart ? shown.problems.filter((p) => !apart.about(p.field)) : shown.problems;
    const words = apart ? apart.words(shown.problems.filter((p) => apart.about(p.field)), ctx, subject) : [];
    const form = formView(fields, stale ? { values } : { body: ctx.body ?? undefined, problems, values });
    const summary = page.summary ? page.summary(shown.refusal, shown.error, ctx, subject) : summaryOf(shown.refusal);
    let errors: Record<string, unknown> = { errorList: [...words, ...form.errorList, ...summary] };
    if (stale && page.stale) {
      const { what, about, now } = page.stale;
      const history = await this.reviews.history(ctx.params.reviewId, accessOf(ctx.req));
      const changes = changesSince(history, Number(ctx.body?.reviewVersion), about && ((e) => about(e, ctx)));
      errors = staleSummary(what, changes, now(subject));
    }
    const view = page.view(subject, now, words);
    const frame = page.template ? view : caseFrame(view as CaseFormView);
    const placed = page.arrange ? page.arrange(form.fields, subject, now) : {};
    return this.views.render(ctx.req, ctx.res, page.template ?? 'pages/cases/form.njk', { ...frame, fields: form.fields, ...placed, ...errors }, shown.status);
  }
}

function context(req: WebRequest, res: Response, params: Record<string, string>, body: FormBody | null, raw: unknown): FormContext {
  return { req, res, params, body, raw, own: [], ifMatch: ifMatchOf(body?.version), actor: () => actorOf(req) };
}

function fieldsOf<S>(page: FormPage<S>, ctx: FormContext, subject?: S) {
  return typeof page.fields === 'function' ? page.fields(ctx, subject) : page.fields;
}

function caseFrame(view: CaseFormView): Record<string, unknown> {
  const { title, ...rest } = view;
  return { pageTitle: `${title ?? view.heading} – ${view.review.reference}`, hidden: {}, ...rest };
}

type PageFactory = (this: unknown, which?: string) => FormPage<unknown>;

/**
 * Routes a form page described by the method it decorates (which returns its FormPage): GET
 * `path` shows the form, POST `options.post` (the same path unless given) submits it. The
 * handlers are added beside the method, in its place among the class's routes (a later
 * `users/:userId` does not take `users/new`); the controller has the FormPages as `forms`.
 * One method may describe several forms: each route names its own (`page`, passed to it). An
 * upload's POST reads its file through `interceptors` (PageUploadInterceptor). A second form on
 * a page another route shows (`show: false`) adds only its POST.
 *
 *   @FormRoute(':imrId/waiver', { page: 'waiver' })
 *   imrPage(which: string): FormPage<ImrSubject> { return { load, fields, submit, view }; }
 */
export function FormRoute(path: string, options: { post?: string; page?: string; interceptors?: Array<Type | NestInterceptor>; show?: false } = {}) {
  return (target: object, name: string, descriptor: PropertyDescriptor): void => {
    const page = descriptor.value as PageFactory;
    const later = Object.getOwnPropertyNames(target).slice(Object.getOwnPropertyNames(target).indexOf(name) + 1);
    const route = (key: string, method: typeof Get, at: string, submit: boolean) => {
      const value = async function (this: { forms: FormPages }, req: WebRequest, res: Response, params: Record<string, string>, raw: unknown) {
        const described = page.call(this, options.page);
        return submit ? this.forms.post(described, req, res, params, raw) : this.forms.show(described, req, res, params);
      };
      const own: PropertyDescriptor = { value, writable: true, configurable: true, enumerable: false };
      Object.defineProperty(target, key, own);
      Reflect.defineMetadata('design:paramtypes', [Object, Object, Object, Object], target, key);
      [Req(), Res(), Param(), ...(submit ? [Body()] : [])].forEach((decorate, index) => decorate(target, key, index));
      if (submit && options.interceptors) UseInterceptors(...options.interceptors)(target, key, own);
      method(at)(target, key, own);
    };
    const key = `${name}${options.page ? `_${options.page}` : ''}`;
    if (options.show !== false) route(`${key}Show`, Get, path, false);
    route(`${key}Submit`, Post, options.post ?? path, true);
    // Routes are registered in the prototype's order: the members declared after this one go after its routes.
    for (const member of later) {
      const moved = Object.getOwnPropertyDescriptor(target, member) as PropertyDescriptor;
      delete (target as Record<string, unknown>)[member];
      Object.defineProperty(target, member, moved);
    }
  };
}

/** What a review's tab page is given: the request, the route's parameters and its query (`done`, the confirmation to show). */
export interface TabContext {
  req: WebRequest;
  params: Record<string, string>;
  query: Record<string, unknown>;
}

/**
 * Routes a review's tab page (the list a form is reached from): GET `path` reads the review
 * (as the caller may read it, with `asReader`: its facts and reasons the reader may see), and
 * the method it decorates returns the page's own context, framed by FormPages.tab.
 *
 *   @TabRoute('', { template: 'pages/cases/family.njk', key: 'family', heading: 'Family involvement' })
 *   async log(review: ReviewView, { req, query }: TabContext) { return { entries, notice: noticeOf(query.done) }; }
 */
export function TabRoute(path: string, tab: { template: string; key: string; heading: string; asReader?: boolean }) {
  return (target: object, name: string, descriptor: PropertyDescriptor): void => {
    const context = descriptor.value as (review: ReviewView, tabContext: TabContext) => Promise<Record<string, unknown>>;
    descriptor.value = async function (this: { forms: FormPages }, req: WebRequest, res: Response, params: Record<string, string>, query: Record<string, unknown>) {
      const review = await this.forms.review(params.reviewId, tab.asReader ? accessOf(req) : undefined);
      return this.forms.tab(req, res, { ...tab, review }, await context.call(this, review, { req, params, query }));
    };
    Reflect.defineMetadata('design:paramtypes', [Object, Object, Object, Object], target, name);
    [Req(), Res(), Param(), Query()].forEach((decorate, index) => decorate(target, name, index));
    Get(path)(target, name, descriptor);
  };
}

/** A controller of pages: its routes under `path`, left out of the API's OpenAPI document. */
export function PageController(path: string) {
  return applyDecorators(ApiExcludeController(), Controller(path));
}
