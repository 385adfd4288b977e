import { Body, Controller, Get, HttpCode, Param, Put } from '@nestjs/common';
import { ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { parseInput } from '../../infrastructure/http/validation';
import { codingSchema, ReviewCodingService } from './review-coding.service';

/** A review coded with the taxonomy (issue 15 item 5). */
@ApiTags('reviews')
@Controller('reviews/:reviewId/coding')
export class ReviewCodingController {
  constructor(private readonly coding: ReviewCodingService) {}

  /** The review's coding with its taxonomy version and each code's label; 404 until coded. */
  @Get()
  get(@Param('reviewId') reviewId: string) {
    return this.coding.get(reviewId);
  }

  /** Codes the review with the current taxonomy (400 naming the field for an unknown code). CSP lead and chair. */
  @Put()
  @HttpCode(200)
  @ApiHeader({ ...ifMatchDoc('coding'), required: false, description: 'Once the review is coded, the coding’s version as read: 412 if it has changed since, 428 if absent. Not needed the first time.' })
  put(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string, @IfMatchHeader() ifMatch: string) {
    return this.coding.put(reviewId, parseInput(codingSchema(), body), actor, ifMatch);
  }
}
