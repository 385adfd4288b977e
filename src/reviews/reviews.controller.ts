import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiPreconditionFailedResponse,
  ApiProduces,
  ApiQuery,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { recordAccessBeforeSending } from '../audit/access-log.interceptor';
import { Clock } from '../infrastructure/clock/clock';
import { Access } from '../access/access.decorator';
import type { AccessContext } from '../access/access.service';
import { Actor } from '../infrastructure/http/actor';
import { RequestValidationError } from '../infrastructure/http/errors';
import { parseInput } from '../infrastructure/http/validation';
import { businessDate, renderLifecycleMermaid, renderLifecycleSvg, STAGES } from './lifecycle';
import { ReviewLifecycleService, ReviewView } from './review-lifecycle.service';
import { parseCorrection, ReviewCorrections, transferSchema } from './review-corrections.service';
import { openApiBody } from '../infrastructure/http/openapi';
import { reviewEventBodySchema } from './reviews.openapi';
import { etagOf, listReviewsQuerySchema, openReviewSchema, parseIfMatch } from './reviews.schemas';

const today = () => businessDate(new Date());

@ApiTags('reviews')
@ApiHeader({ name: 'X-Actor', description: 'Who is acting (required on writes until sign-in lands).', required: false })
@Controller('reviews')
export class ReviewsController {
  constructor(
    private readonly reviews: ReviewLifecycleService,
    private readonly corrections: ReviewCorrections,
    private readonly clock: Clock,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(openReviewSchema(today), 'PoliceNotification'))
  @ApiCreatedResponse({ description: 'The review, in stage `notified`.' })
  @ApiBadRequestResponse({ description: 'A field is missing or invalid; `errors` names each.' })
  async open(@Body() body: unknown, @Actor() actor: string, @Res({ passthrough: true }) res: Response) {
    const input = parseInput(openReviewSchema(() => businessDate(this.clock.now())), body);
    return this.withEtag(res, await this.reviews.open(input, actor));
  }

  @Get()
  @ApiQuery({ name: 'status', required: false, enum: STAGES })
  @ApiQuery({ name: 'cspId', required: false })
  @ApiQuery({ name: 'onHold', required: false, enum: ['true', 'false'] })
  @ApiQuery({ name: 'reference', required: false, description: 'Part of the reference (any case).' })
  @ApiQuery({
    name: 'q',
    required: false,
    description:
      "Search: part of the reference, the police reference, a person's pseudonym, the chair's name or an agency on the panel (any case); each only on reviews where the caller may read it. Real names are never searched.",
  })
  @ApiQuery({ name: 'page', required: false })
  @ApiQuery({ name: 'pageSize', required: false })
  list(@Query() query: unknown, @Access() access: AccessContext) {
    return this.reviews.list(parseInput(listReviewsQuerySchema, query), access);
  }

  @Get(':id')
  @ApiOkResponse({ description: 'The review with its stage, facts, allowed and blocked events, and the clocks the caller may see. ETag = version.' })
  @ApiNotFoundResponse()
  async get(@Param('id') id: string, @Access() access: AccessContext, @Res({ passthrough: true }) res: Response) {
    return this.withEtag(res, await this.reviews.get(id, access));
  }

  @Post(':id/events')
  @HttpCode(200)
  @ApiBody({ schema: reviewEventBodySchema() })
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag read; a stale one gets 412.' })
  @ApiOkResponse({ description: 'The event was applied; the review as it is now.' })
  @ApiBadRequestResponse({ description: 'Malformed event; `errors` names each field.' })
  @ApiNotFoundResponse({ description: 'No such review.' })
  @ApiConflictResponse({ description: 'Not allowed now; `reasons` says why.' })
  @ApiPreconditionFailedResponse({ description: 'If-Match is stale.' })
  async event(
    @Param('id') id: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Res({ passthrough: true }) res: Response,
    @Access() access: AccessContext,
  ) {
    return this.withEtag(res, await this.reviews.applyEvent(id, body, actor, this.expectedVersion(ifMatch), access));
  }

  @Post(':id/corrections')
  @HttpCode(201)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag read; a stale one gets 412.' })
  @ApiCreatedResponse({
    description:
      'A correction on the record: `{"reason", "notification": {dateOfDeath?, notifiedOn?, policeForce?, policeReference?, circumstances?}}` or `{"reason", "event": {"sequence", "changes": {...}}}` (a lifecycle event of the history, e.g. its date or a decision\'s rationale). The history gains a CORRECTION entry (from, to, reason, who, when); stages and clocks follow. Answers the review as it is now.',
  })
  @ApiBadRequestResponse({ description: 'Malformed, changes nothing, or breaks the chronology (`chronology` names both facts).' })
  @ApiConflictResponse({ description: 'With the correction, a later event could not have happened.' })
  async correct(
    @Param('id') id: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Access() access: AccessContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    const input = parseCorrection(body, () => businessDate(this.clock.now()));
    await this.corrections.correct(id, input, actor, this.expectedVersion(ifMatch));
    return this.withEtag(res, await this.reviews.get(id, access));
  }

  @Post(':id/transfer')
  @HttpCode(200)
  @ApiHeader({ name: 'If-Match', required: false, description: 'The ETag read; a stale one gets 412.' })
  @ApiOkResponse({ description: '`{"toCspId", "reason"}`: the review moves to another CSP. The caller must be a CSP lead of both; the review\'s own members stay.' })
  async transfer(
    @Param('id') id: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Access() access: AccessContext,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.corrections.transfer(id, parseInput(transferSchema, body), actor, access, this.expectedVersion(ifMatch));
    // The caller leads the receiving CSP too (checked), so they may read it there.
    return this.withEtag(res, await this.reviews.get(id));
  }

  private expectedVersion(ifMatch: string | undefined): number | undefined {
    const expected = parseIfMatch(ifMatch);
    if (expected === 'invalid') throw new RequestValidationError([{ field: 'If-Match', message: 'must be an ETag from GET /reviews/:id, such as "3"' }]);
    return expected;
  }

  @Get(':id/history')
  @ApiOkResponse({ description: 'Every accepted event in order, with actor, time, and from/to stage: the entries the caller may read (an entry about a record shows only to those who may read that record).' })
  history(@Param('id') id: string, @Access() access: AccessContext) {
    return this.reviews.history(id, access);
  }

  @Get(':id/diagram')
  @ApiProduces('image/svg+xml', 'text/plain')
  @ApiQuery({ name: 'format', required: false, enum: ['svg', 'mermaid'] })
  async diagram(@Param('id') id: string, @Query('format') format: string | undefined, @Req() req: Request, @Res() res: Response) {
    if (format !== undefined && format !== 'svg' && format !== 'mermaid') {
      throw new RequestValidationError([{ field: 'format', message: 'must be svg or mermaid' }]);
    }
    const { status, onHold } = await this.reviews.statusOf(id);
    await recordAccessBeforeSending(req, 200);
    if (format === 'mermaid') {
      res.type('text/plain').send(renderLifecycleMermaid(status, onHold));
    } else {
      res.type('image/svg+xml').send(renderLifecycleSvg(status, onHold));
    }
  }

  private withEtag(res: Response, view: ReviewView): ReviewView {
    res.setHeader('ETag', etagOf(view.version));
    return view;
  }
}
