import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { changeProceedingStatusSchema, recordProceedingSchema, updateProceedingSchema } from './proceedings.schemas';
import { ProceedingsService } from './proceedings.service';

const docs = () => '2026-01-01';

@ApiTags('parallel proceedings')
@Controller('reviews/:reviewId/proceedings')
export class ProceedingsController {
  constructor(private readonly proceedings: ProceedingsService) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(recordProceedingSchema, 'RecordProceeding'))
  record(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.proceedings.record(reviewId, parseInput(recordProceedingSchema, body), actor);
  }

  @Get()
  list(@Param('reviewId') reviewId: string) {
    return this.proceedings.list(reviewId);
  }

  @Get(':proceedingId')
  get(@Param('reviewId') reviewId: string, @Param('proceedingId') proceedingId: string) {
    return this.proceedings.get(reviewId, proceedingId);
  }

  @Patch(':proceedingId')
  @ApiHeader(ifMatchDoc('proceeding'))
  @ApiBody(openApiBody(updateProceedingSchema, 'UpdateProceeding'))
  update(
    @Param('reviewId') reviewId: string,
    @Param('proceedingId') proceedingId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.proceedings.update(reviewId, proceedingId, parseInput(updateProceedingSchema, body), actor, ifMatch);
  }

  @Post(':proceedingId/status')
  @ApiHeader(ifMatchDoc('proceeding'))
  @HttpCode(200)
  @ApiBody(openApiBody(changeProceedingStatusSchema(docs), 'ChangeProceedingStatus'))
  changeStatus(
    @Param('reviewId') reviewId: string,
    @Param('proceedingId') proceedingId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.proceedings.changeStatus(
      reviewId,
      proceedingId,
      parseInput(changeProceedingStatusSchema(this.proceedings.today), body),
      actor,
      ifMatch,
    );
  }
}
