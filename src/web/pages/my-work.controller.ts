import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DeadlinesService } from '../../deadlines/deadlines.service';
import { londonDateOf } from '../../deadlines/rules';
import { Clock } from '../../infrastructure/clock/clock';
import { NoticesService } from '../../work/notices.service';
import { listTasksQuery } from '../../work/tasks.controller';
import { TasksService } from '../../work/tasks.service';
import { parseInput } from '../../infrastructure/http/validation';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { accessOf } from './page-support';

/** How far ahead "My work" looks for deadlines on the caller's reviews that are not theirs alone. */
const LOOK_AHEAD_DAYS = 42;

/**
 * What the signed-in person must do next (the tasks service: lifecycle steps their role may
 * take now and the case-file work that falls to them), then the others' deadlines due within
 * six weeks on the reviews they can see, less the clocks their own tasks already show; above
 * them, what changed on those reviews since the person's last visit (notices.service.ts). An
 * administrator who holds no case role goes to Administration.
 */
@ApiExcludeController()
@Controller('my-work')
export class MyWorkPagesController {
  constructor(
    private readonly tasks: TasksService,
    private readonly notices: NoticesService,
    private readonly deadlines: DeadlinesService,
    private readonly views: WebViews,
    private readonly clock: Clock,
  ) {}

  @Get()
  async myWork(@Req() req: WebRequest, @Res() res: Response) {
    const access = accessOf(req);
    const userId = req.identity?.userId ?? null;
    if (userId && access.holder?.administrator && !(await this.tasks.holdsCaseRole(userId))) return this.views.redirect(res, '/admin');

    // The most urgent tasks only (issue 16: deriving every task of every review took 40 s at
    // 100,000 reviews); `?limit=` shows up to 200.
    const { limit } = parseInput(listTasksQuery, req.query);
    const { items: tasks, more } = userId ? await this.tasks.mostUrgent(userId, access, limit) : { items: [], more: false };
    const taskClocks = new Set(tasks.map((t) => t.clockId).filter((id) => id !== null));
    const horizon = new Date(this.clock.now().getTime() + LOOK_AHEAD_DAYS * 86_400_000);
    const due = (await this.deadlines.list({ due_before: londonDateOf(horizon), limit: 200 }, access)).filter((d) => !taskClocks.has(d.id));
    const references = await this.tasks.referencesOf(due.map((d) => d.reviewId));
    const others = due
      .filter((d) => references.has(d.reviewId))
      .map((d) => ({ ...d, reference: references.get(d.reviewId) as string }))
      // Soonest first; on the same day by review and title (not the clocks' random ids), so the page reads the same each time.
      .sort((a, b) => a.dueAt.localeCompare(b.dueAt) || a.reference.localeCompare(b.reference) || a.title.localeCompare(b.title));
    // What changed on their reviews since their last visit (their previous session's last request).
    const since = userId ? await this.notices.lastVisit(userId, req.identity?.sessionId ?? null) : null;
    const notices = userId && since ? await this.notices.since(userId, req.identity?.actor ?? '', since, access) : [];
    return this.views.render(req, res, 'pages/my-work.njk', {
      pageTitle: 'My work',
      notices,
      tasks,
      others,
      lookAheadDays: LOOK_AHEAD_DAYS,
      more,
      moreHref: limit < 200 ? '/my-work?limit=200' : null,
    });
  }
}
