import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { DeadlinesService } from '../../deadlines/deadlines.service';
import { londonDateOf } from '../../deadlines/rules';
import { Clock } from '../../infrastructure/clock/clock';
import { ReviewLifecycleService } from '../../reviews/review-lifecycle.service';
import { WebViews } from '../web-views';
import type { WebRequest } from '../web-views';
import { accessOf, actorOf } from './page-support';

/** How far ahead "My work" looks for deadlines on the caller's reviews that are not theirs alone. */
const LOOK_AHEAD_DAYS = 42;

/**
 * What is due or overdue for the signed-in person: the deadlines that concern them (the
 * deadlines service's owner filter), then the others due within six weeks on the reviews
 * they can see (the reviews list, narrowed by the access policy).
 */
@ApiExcludeController()
@Controller('my-work')
export class MyWorkPagesController {
  constructor(
    private readonly deadlines: DeadlinesService,
    private readonly reviews: ReviewLifecycleService,
    private readonly views: WebViews,
    private readonly clock: Clock,
  ) {}

  @Get()
  async myWork(@Req() req: WebRequest, @Res() res: Response) {
    const actor = actorOf(req);
    const access = accessOf(req);
    const visible = await this.reviews.list({ page: 1, pageSize: 100 }, access);
    const references = new Map(visible.items.map((r) => [r.id, r.reference]));
    const withReference = <T extends { reviewId: string }>(rows: T[]) =>
      rows.filter((d) => references.has(d.reviewId)).map((d) => ({ ...d, reference: references.get(d.reviewId) as string }));

    const mine = withReference(await this.deadlines.list({ owner: actor, limit: 200 }, access));
    const horizon = new Date(this.clock.now().getTime() + LOOK_AHEAD_DAYS * 86_400_000);
    const mineIds = new Set(mine.map((d) => d.id));
    const others = withReference(await this.deadlines.list({ due_before: londonDateOf(horizon), limit: 200 }, access)).filter((d) => !mineIds.has(d.id));

    return this.views.render(req, res, 'pages/my-work.njk', {
      pageTitle: 'My work',
      mine,
      others,
      lookAheadDays: LOOK_AHEAD_DAYS,
      reviewCount: visible.total,
    });
  }
}
