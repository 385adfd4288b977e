import { Body, Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequestValidationError } from '../../infrastructure/http/errors';
import { may } from '../../web/case-pages';
import { FormPages } from '../../web/pages/form-page';
import { accessOf, actorOf } from '../../web/pages/page-support';
import { WebViews, type WebRequest } from '../../web/web-views';
import { HomeOfficeChecklistService, type ChecklistView } from './home-office-checklist.service';

const one = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/**
 * The checklist before submission to the Home Office, as a GOV.UK form: each item with radios
 * (confirm or flag) and a note, for the CSP lead; read-only for the chair. Posting records the
 * items answered (the same service as PUT /reviews/:id/home-office-checklist) or shows the form
 * again (400) with each problem on its item. Links to the pack (GET /reviews/:id/home-office-pack).
 */
@ApiExcludeController()
@Controller('cases/:reviewId/qa/checklist')
export class HomeOfficeChecklistPagesController {
  constructor(
    private readonly checklist: HomeOfficeChecklistService,
    private readonly forms: FormPages,
    private readonly views: WebViews,
  ) {}

  @Get()
  async page(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Query('done') done: unknown) {
    return this.render(req, res, reviewId, await this.checklist.view(reviewId), {}, 200, done === 'saved');
  }

  @Post()
  async answer(@Req() req: WebRequest, @Res() res: Response, @Param('reviewId') reviewId: string, @Body() body: Record<string, unknown>) {
    const current = await this.checklist.view(reviewId);
    const answers = current.items
      .map((item) => ({ item: item.id, answer: one(body[`answer-${item.id}`]), note: one(body[`note-${item.id}`]) }))
      .filter((a) => a.answer !== '')
      .map((a) => ({ item: a.item, answer: a.answer, ...(a.note ? { note: a.note } : {}) }));
    const typed = Object.fromEntries(current.items.map((item) => [item.id, { answer: one(body[`answer-${item.id}`]), note: one(body[`note-${item.id}`]) }]));
    try {
      await this.checklist.answer(reviewId, this.checklist.parse({ answers }), actorOf(req));
    } catch (error) {
      if (!(error instanceof RequestValidationError)) throw error;
      const errors: Record<string, string> = {};
      for (const p of error.problems) {
        const match = /^answers\.(\d+)\.(\w+)$/.exec(p.field);
        const item = match ? answers[Number(match[1])]?.item : undefined;
        if (item && match) errors[`${match[2] === 'note' ? 'note' : 'answer'}-${item}`] = match[2] === 'note' ? `The note ${p.message}` : `The answer ${p.message}`;
        else errors.form = answers.length === 0 ? 'Choose confirm or flag for at least one item' : `${p.field}: ${p.message}`;
      }
      return this.render(req, res, reviewId, current, { errors, typed }, 400, false);
    }
    return this.views.redirect(res, `/cases/${reviewId}/qa/checklist?done=saved`);
  }

  private async render(
    req: WebRequest,
    res: Response,
    reviewId: string,
    view: ChecklistView,
    shown: { errors?: Record<string, string>; typed?: Record<string, { answer: string; note: string }> },
    status: number,
    saved: boolean,
  ) {
    const access = accessOf(req);
    const review = await this.forms.review(reviewId, access);
    const errors = shown.errors ?? {};
    const items = view.items.map((item) => {
      const typed = shown.typed?.[item.id];
      return {
        ...item,
        value: typed ? typed.answer : (item.answer?.answer ?? ''),
        note: typed ? typed.note : (item.answer?.note ?? ''),
        answerError: errors[`answer-${item.id}`] ?? null,
        noteError: errors[`note-${item.id}`] ?? null,
      };
    });
    const errorList = [
      ...(errors.form ? [{ text: errors.form, href: `#answer-${view.items[0].id}` }] : []),
      ...items.flatMap((i) => [
        ...(i.answerError ? [{ text: `${i.title}: ${i.answerError}`, href: `#answer-${i.id}` }] : []),
        ...(i.noteError ? [{ text: `${i.title}: ${i.noteError}`, href: `#note-${i.id}` }] : []),
      ]),
    ];
    return this.forms.tab(req, res, { template: 'pages/reports/home-office-checklist.njk', key: 'qa', heading: 'Checklist before submission to the Home Office', review, status }, {
      checklist: view,
      items,
      errorList: errorList.length ? errorList : undefined,
      mayAnswer: may(access, 'homeOfficeChecklist.write'),
      packHref: `/reviews/${reviewId}/home-office-pack`,
      saved,
    });
  }
}
