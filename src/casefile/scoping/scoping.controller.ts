import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { RecordsSecuredService } from './records-secured.service';
import { ScopingResponsesService } from './scoping-responses.service';
import { confirmRecordsSecuredSchema, correctScopingResponseSchema, recordScopingResponseSchema } from './scoping.schemas';

const docs = () => '2026-01-01';

@ApiTags('scoping')
@Controller('reviews/:reviewId/scoping-responses')
export class ScopingResponsesController {
  constructor(private readonly responses: ScopingResponsesService) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(recordScopingResponseSchema(docs), 'RecordScopingResponse'))
  record(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.responses.record(reviewId, parseInput(recordScopingResponseSchema(this.responses.today), body), actor);
  }

  @Get()
  list(@Param('reviewId') reviewId: string) {
    return this.responses.list(reviewId);
  }

  @Get(':responseId')
  get(@Param('reviewId') reviewId: string, @Param('responseId') responseId: string) {
    return this.responses.get(reviewId, responseId);
  }

  @Patch(':responseId')
  @HttpCode(200)
  @ApiBody(openApiBody(correctScopingResponseSchema(docs), 'CorrectScopingResponse'))
  @ApiHeader(ifMatchDoc('scoping response'))
  correct(
    @Param('reviewId') reviewId: string,
    @Param('responseId') responseId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.responses.correct(reviewId, responseId, parseInput(correctScopingResponseSchema(this.responses.today), body), actor, ifMatch);
  }
}

@ApiTags('scoping')
@Controller('reviews/:reviewId/records-secured')
export class RecordsSecuredController {
  constructor(private readonly confirmations: RecordsSecuredService) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(confirmRecordsSecuredSchema(docs), 'ConfirmRecordsSecured'))
  confirm(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.confirmations.confirm(reviewId, parseInput(confirmRecordsSecuredSchema(this.confirmations.today), body), actor);
  }

  @Get()
  list(@Param('reviewId') reviewId: string) {
    return this.confirmations.list(reviewId);
  }

  @Get(':confirmationId')
  get(@Param('reviewId') reviewId: string, @Param('confirmationId') confirmationId: string) {
    return this.confirmations.get(reviewId, confirmationId);
  }
}
