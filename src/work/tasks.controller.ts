import { Controller, Get, Query, Req, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { parseInput } from '../infrastructure/http/validation';
import type { AccessContext } from '../access/access.service';
import type { IdentifiedRequest } from '../identity/identity.guard';
import { TASK_KINDS, TasksService } from './tasks.service';

const TASK_SCHEMA = {
  type: 'object',
  required: ['reviewId', 'reference', 'kind', 'event', 'subjectId', 'title', 'href', 'dueDate', 'urgency', 'daysLeft', 'daysOverdue', 'clockId'],
  properties: {
    reviewId: { type: 'string', format: 'uuid' },
    reference: { type: 'string', example: 'DHR-DEMO-2026-001' },
    kind: { type: 'string', enum: [...TASK_KINDS] },
    event: { type: 'string', nullable: true, description: 'The lifecycle event, for kind "event" (e.g. DECIDE, RAG_APPROVE).' },
    subjectId: { type: 'string', format: 'uuid', nullable: true, description: 'The IMR, meeting, action or overview report (a revision) the task is about.' },
    title: { type: 'string', example: 'Decide whether to hold a review' },
    href: { type: 'string', description: 'The web page (and form) that does it.', example: '/cases/…?do=DECIDE#event-DECIDE' },
    dueDate: { type: 'string', format: 'date', nullable: true },
    urgency: { type: 'string', enum: ['overdue', 'due_soon', 'on_track', 'none'] },
    daysLeft: { type: 'integer', nullable: true },
    daysOverdue: { type: 'integer', nullable: true },
    clockId: { type: 'string', format: 'uuid', nullable: true, description: 'The clock the due date comes from.' },
  },
};

/** `?limit=`: how many of the most urgent tasks (the rest are counted as `more`). */
export const listTasksQuery = z.object({ limit: z.coerce.number({ message: 'must be a whole number from 1 to 200' }).int('must be a whole number from 1 to 200').min(1, 'must be a whole number from 1 to 200').max(200, 'must be a whole number from 1 to 200').default(50) }).strict();

/** What the signed-in person must do next, on every review they may see. */
@ApiTags('work')
@ApiBearerAuth()
@Controller('me/tasks')
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  @Get()
  @ApiOperation({
    summary: "The caller's tasks",
    description:
      'The lifecycle steps the caller’s role on each review they may see lets them take now, and the case-file work that falls to them ' +
      '(IMR receipts, their agency’s IMR and its sign-off, meetings to record as held, actions near their target): the `limit` most urgent, ' +
      'most urgent first; `more` says whether there are others.',
  })
  @ApiQuery({ name: 'limit', required: false, description: 'How many tasks (1-200, default 50).' })
  @ApiOkResponse({
    schema: { type: 'object', required: ['items', 'more'], properties: { items: { type: 'array', items: TASK_SCHEMA }, more: { type: 'boolean', description: 'Whether there are tasks after these.' } } },
  })
  async list(@Req() req: IdentifiedRequest & { access?: AccessContext }, @Query() query: unknown) {
    const userId = req.identity?.userId;
    if (!userId || !req.access) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Authorization: sign in, or send a bearer token, to see your tasks' });
    const { limit } = parseInput(listTasksQuery, query);
    const { items, more } = await this.tasks.mostUrgent(userId, req.access, limit);
    return { items, more };
  }
}
