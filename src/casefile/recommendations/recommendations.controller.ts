import { Body, Controller, Get, HttpCode, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import {
  agreeRecommendationSchema,
  correctRecommendationSchema,
  createRecommendationSchema,
  noRecommendationsReasonSchema,
  withdrawRecommendationSchema,
} from './recommendations.schemas';
import { RecommendationsService } from './recommendations.service';

const IF_MATCH = ifMatchDoc('recommendation');

@ApiTags('recommendations')
@Controller('reviews/:reviewId')
export class RecommendationsController {
  constructor(private readonly recommendations: RecommendationsService) {}

  @Post('recommendations')
  @HttpCode(201)
  @ApiBody(openApiBody(createRecommendationSchema, 'CreateRecommendation'))
  create(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.recommendations.create(reviewId, parseInput(createRecommendationSchema, body), actor);
  }

  /** Ordered by number; withdrawn ones are listed with their status and reason. */
  @Get('recommendations')
  list(@Param('reviewId') reviewId: string) {
    return this.recommendations.list(reviewId);
  }

  @Get('recommendations/:recommendationId')
  get(@Param('reviewId') reviewId: string, @Param('recommendationId') recommendationId: string) {
    return this.recommendations.get(reviewId, recommendationId);
  }

  @Patch('recommendations/:recommendationId')
  @ApiBody(openApiBody(correctRecommendationSchema, 'CorrectRecommendation'))
  @ApiHeader(IF_MATCH)
  correct(
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.recommendations.correct(reviewId, recommendationId, parseInput(correctRecommendationSchema, body), actor, ifMatch);
  }

  @Post('recommendations/:recommendationId/agree')
  @HttpCode(200)
  @ApiBody(openApiBody(agreeRecommendationSchema, 'AgreeRecommendation'))
  @ApiHeader(IF_MATCH)
  agree(
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    parseInput(agreeRecommendationSchema, body);
    return this.recommendations.agree(reviewId, recommendationId, actor, ifMatch);
  }

  @Post('recommendations/:recommendationId/withdraw')
  @HttpCode(200)
  @ApiBody(openApiBody(withdrawRecommendationSchema, 'WithdrawRecommendation'))
  @ApiHeader(IF_MATCH)
  withdraw(
    @Param('reviewId') reviewId: string,
    @Param('recommendationId') recommendationId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.recommendations.withdraw(reviewId, recommendationId, parseInput(withdrawRecommendationSchema, body), actor, ifMatch);
  }

  /** The review makes no recommendations, and why (409 while it has any); `reason: null` takes that back. */
  @Put('no-recommendations-reason')
  @HttpCode(200)
  @ApiBody(openApiBody(noRecommendationsReasonSchema, 'NoRecommendationsReason'))
  setNoRecommendationsReason(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.recommendations.setNoRecommendationsReason(reviewId, parseInput(noRecommendationsReasonSchema, body), actor);
  }
}
