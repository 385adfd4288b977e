import { Injectable } from '@nestjs/common';
import type { Response } from 'express';
import nunjucks from 'nunjucks';
import type { AccessContext } from '../access/access.service';
import { recordAccessBeforeSending } from '../audit/access-log.interceptor';
import type { IdentifiedRequest } from '../identity/identity.guard';
import { tablesInScrollRegions } from './table-regions';
import { applicableTabs, CaseTabs } from './case-tabs';
import { dateInWords, datesInWords, dateTimeInWords } from '../shared/display-dates';
import { GOVUK_FRONTEND_DIST, WEB_VIEWS_DIR } from './web-assets';
import {
  ACTION_STATUS_LABELS,
  DEADLINE_STATUS_LABELS,
  DECISION_OUTCOME_LABELS,
  DOCUMENT_KIND_LABELS,
  EVENT_ACTION_LABELS,
  historyLabel,
  HOLD_REASON_LABELS,
  IMR_KIND_LABELS,
  PERSON_ROLE_LABELS,
  QA_OUTCOME_LABELS,
  RECOMMENDATION_LEVEL_LABELS,
  SERVICE_NAME,
  STAGE_LABELS,
} from './labels';

export type WebRequest = IdentifiedRequest & { access?: AccessContext; id?: string };

/** 2026-03-05 or an instant → "5 March 2026" (calendar dates as they are; instants in London). */
export const ukDate = dateInWords;

/** An instant → "5 March 2026 at 10:30am" in London time. */
export const ukDateTime = dateTimeInWords;

/** Days as words: 1 day, 12 days. */
export function days(value: unknown): string {
  const n = Number(value);
  return `${n} ${n === 1 ? 'day' : 'days'}`;
}

const LABEL_MAPS: Record<string, Readonly<Record<string, string>>> = {
  stage: STAGE_LABELS,
  event: EVENT_ACTION_LABELS,
  decisionOutcome: DECISION_OUTCOME_LABELS,
  qaOutcome: QA_OUTCOME_LABELS,
  holdReason: HOLD_REASON_LABELS,
  imrKind: IMR_KIND_LABELS,
  recommendationLevel: RECOMMENDATION_LEVEL_LABELS,
  personRole: PERSON_ROLE_LABELS,
  documentKind: DOCUMENT_KIND_LABELS,
  actionStatus: ACTION_STATUS_LABELS,
  deadlineStatus: DEADLINE_STATUS_LABELS,
};

/**
 * The Nunjucks environment of the pages: our templates first, then govuk-frontend's (imported
 * as "govuk/components/…/macro.njk"). Autoescaping is on: only markup we build ourselves (the
 * lifecycle diagram) is marked safe.
 */
export function createWebEnvironment(): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([WEB_VIEWS_DIR, GOVUK_FRONTEND_DIST]), {
    autoescape: true,
    throwOnUndefined: false,
    trimBlocks: true,
    lstripBlocks: true,
  });
  env.addFilter('ukDate', ukDate);
  env.addFilter('ukDateTime', ukDateTime);
  env.addFilter('days', days);
  // A sentence from the lifecycle, the chronology or a service (a refusal's reason) with its ISO dates in words.
  env.addFilter('inWords', datesInWords);
  env.addFilter('history', historyLabel);
  env.addFilter('label', (value: unknown, map: string) => {
    const labels = LABEL_MAPS[map];
    const key = String(value ?? '');
    return labels?.[key] ?? key;
  });
  env.addGlobal('serviceName', SERVICE_NAME);
  return env;
}

let shared: nunjucks.Environment | null = null;

/** One environment per process (templates are compiled once and cached). */
export function webEnvironment(): nunjucks.Environment {
  shared ??= createWebEnvironment();
  return shared;
}

/** The CSRF token of the signed-in session, for the hidden `_csrf` field of every POST form. */
export function csrfTokenOf(req: WebRequest): string {
  return req.signedIn?.session.csrfToken ?? '';
}

/** What every page's layout needs: who is signed in, the navigation, the CSRF token, the nonce. */
export function layoutContext(req: WebRequest, res: Response): Record<string, unknown> {
  const actor = req.identity?.actor ?? null;
  const displayName = req.signedIn?.user.displayName ?? actor;
  const path = req.path;
  const administrator = req.access?.holder?.administrator ?? false;
  // The partnership's reports (oversight, committee report), for those who may take reports.read (a CSP lead or RAG member).
  const reporter = (req.access?.holder?.cspRoles ?? []).length > 0;
  const navigation = actor
    ? [
        { href: '/my-work', text: 'My work', current: path === '/my-work' },
        { href: '/cases', text: 'Reviews', active: path === '/cases' || path.startsWith('/cases/') },
        ...(reporter
          ? [
              { href: '/oversight', text: 'Oversight', active: path === '/oversight' },
              { href: '/committee-report', text: 'Committee report', active: path.startsWith('/committee-report') },
              { href: '/register', text: 'Recommendations register', active: path === '/register' },
            ]
          : []),
        ...(administrator ? [{ href: '/admin', text: 'Administration', active: path.startsWith('/admin') }] : []),
      ]
    : [];
  return {
    cspNonce: res.locals.cspNonce,
    csrfToken: csrfTokenOf(req),
    currentPath: path,
    user: actor ? { name: displayName, email: actor } : null,
    navigation,
  };
}

/** The error summary's messages (often a service's or the lifecycle's reasons) with their dates in words. */
function errorsInWords(errorList: unknown): { errorList?: unknown } {
  if (!Array.isArray(errorList)) return {};
  return { errorList: errorList.map((e: { text?: unknown }) => (typeof e?.text === 'string' ? { ...e, text: datesInWords(e.text) } : e)) };
}

/** Renders the pages. Every page goes through here, so each gets the layout's context. */
@Injectable()
export class WebViews {
  private readonly env = webEnvironment();

  constructor(private readonly caseTabs: CaseTabs) {}

  html(req: WebRequest, res: Response, template: string, context: Record<string, unknown> = {}): string {
    return tablesInScrollRegions(this.env.render(template, { ...layoutContext(req, res), ...context, ...errorsInWords(context.errorList) }));
  }

  /** Renders and sends a page; a page about a review is in its access log before it is sent. */
  async render(req: WebRequest, res: Response, template: string, context: Record<string, unknown> = {}, status = 200): Promise<void> {
    // A review's tabs (those the caller may read) narrowed to what exists or applies at its stage (case-tabs.ts).
    const reviewId = (req.params as Record<string, unknown> | undefined)?.['reviewId'];
    if (Array.isArray(context.caseNav) && typeof reviewId === 'string') {
      context = { ...context, caseNav: applicableTabs(context.caseNav as Array<{ key: string; current?: boolean }>, await this.caseTabs.presence(reviewId)) };
    }
    const html = this.html(req, res, template, context);
    await recordAccessBeforeSending(req, status);
    res.status(status).type('html').setHeader('Cache-Control', 'no-store');
    res.send(html);
  }

  /** After a successful POST: back to a page (303, so a refresh does not post again). */
  async redirect(res: Response, location: string): Promise<void> {
    await recordAccessBeforeSending(res.req, 303);
    res.redirect(303, location);
  }
}
