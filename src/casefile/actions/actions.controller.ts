import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { addActionSchema, completeActionSchema, updateActionSchema } from './actions.schemas';
import { ActionsService } from './actions.service';

const docs = () => '2026-01-01';
const IF_MATCH = ifMatchDoc('action');

@ApiTags('action plan')
@Controller('reviews/:reviewId')
export class ActionsController {
  constructor(private readonly actions: ActionsService) {}

  /** Every recommendation with its actions, and counts of complete and incomplete actions. */
  @Get('action-plan')
  actionPlan(@Param('reviewId') reviewId: string) {
    return this.actions.actionPlan(reviewId);
  }

  @Post('recommendations/:recommendationId/actions')
  @HttpCode(201)
  @ApiBody(openApiBody(addActionSchema, 'AddAction'))
  add(@Param('reviewId') reviewId: string, @Param('recommendationId') recommendationId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.actions.add(reviewId, recommendationId, parseInput(addActionSchema, body), actor);
  }

  @Get('recommendations/:recommendationId/actions/:actionId')
  get(@Param('reviewId') reviewId: string, @Param('recommendationId') recommendationId: string, @Param('actionId') actionId: string) {
    return this.actions.get(reviewId, recommendationId, actionId);
  }

  @Patch('recommendations/:recommendationId/actions/:actionId')
  @ApiBody(openApiBody(updateActionSchema, 'UpdateAction'))
  @ApiHeader(IF_MATCH)
  update(
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Param('actionId') actionId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.actions.update(reviewId, recommendationId, actionId, parseInput(updateActionSchema, body), actor, ifMatch);
  }

  @Post('recommendations/:recommendationId/actions/:actionId/complete')
  @HttpCode(200)
  @ApiBody(openApiBody(completeActionSchema(docs), 'CompleteAction'))
  @ApiHeader(IF_MATCH)
  complete(
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Param('actionId') actionId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.actions.complete(reviewId, recommendationId, actionId, parseInput(completeActionSchema(this.actions.today), body), actor, ifMatch);
  }
}
