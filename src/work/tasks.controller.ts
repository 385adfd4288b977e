import { Controller, Get, Req, UnauthorizedException } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
      '(IMR receipts, their agency’s IMR and its sign-off, meetings to record as held, actions near their target): most urgent first.',
  })
  @ApiOkResponse({ schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: TASK_SCHEMA } } } })
  async list(@Req() req: IdentifiedRequest & { access?: AccessContext }) {
    const userId = req.identity?.userId;
    if (!userId || !req.access) throw new UnauthorizedException({ statusCode: 401, error: 'Unauthorized', message: 'Authorization: sign in, or send a bearer token, to see your tasks' });
    return { items: await this.tasks.forUser(userId, req.access) };
  }
}
