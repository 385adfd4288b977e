import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { recordFamilyEngagementSchema } from './family.schemas';
import { FamilyService } from './family.service';

const docs = () => '2026-01-01';

@ApiTags('family involvement')
@Controller('reviews/:reviewId/family-engagements')
export class FamilyController {
  constructor(private readonly family: FamilyService) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(recordFamilyEngagementSchema(docs), 'RecordFamilyEngagement'))
  record(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.family.record(reviewId, parseInput(recordFamilyEngagementSchema(this.family.today), body), actor);
  }

  @Get()
  list(@Param('reviewId') reviewId: string) {
    return this.family.list(reviewId);
  }

  @Get(':engagementId')
  get(@Param('reviewId') reviewId: string, @Param('engagementId') engagementId: string) {
    return this.family.get(reviewId, engagementId);
  }
}
