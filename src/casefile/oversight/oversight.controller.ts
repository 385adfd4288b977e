import { Body, Controller, Get, HttpCode, Param, Post, UploadedFile, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBody, ApiConsumes, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { multipartBody } from '../documents/documents.schemas';
import { UploadErrorsInterceptor, UploadedContent } from '../documents/upload-errors';
import { OversightService } from './oversight.service';
import { listQaChangesSchema, qaChangeDoneSchema } from './qa-rounds.schemas';
import { QaRoundsService } from './qa-rounds.service';

const docs = () => '2026-01-01';

/** Read views over the lifecycle events (record them with POST /reviews/:id/events), and each QA round's letter and changes. */
@ApiTags('sign-off and quality assurance')
@Controller('reviews/:reviewId')
export class OversightController {
  constructor(
    private readonly oversight: OversightService,
    private readonly qa: QaRoundsService,
  ) {}

  @Get('rag-decisions')
  @ApiOkResponse({ description: 'The CSP board (RAG) decisions, oldest first: approved or returned, with comments and who decided.' })
  ragDecisions(@Param('reviewId') reviewId: string) {
    return this.oversight.ragDecisions(reviewId);
  }

  @Get('qa-rounds')
  @ApiOkResponse({
    description:
      'Home Office QA rounds, oldest first: each submission with its outcome once the letter is recorded, the letter itself (its latest version) and the changes it asks for, each done or not.',
  })
  qaRounds(@Param('reviewId') reviewId: string) {
    return this.qa.rounds(reviewId);
  }

  /** The round's letter from the Home Office: the first upload makes the document, a later one is its next version. */
  @Post('qa-rounds/:round/letter')
  @HttpCode(201)
  @UseInterceptors(UploadErrorsInterceptor, FileInterceptor('file'))
  @ApiConsumes('multipart/form-data')
  @ApiBody(multipartBody({}, [], 'QaLetter'))
  uploadLetter(@Param('reviewId') reviewId: string, @Param('round') round: string, @UploadedFile() file: UploadedContent | undefined, @Actor() actor: string) {
    return this.qa.uploadLetter(reviewId, round, file, actor);
  }

  /** The changes the round's letter asks for (once its outcome is recorded), numbered after any listed before. */
  @Post('qa-rounds/:round/changes')
  @HttpCode(201)
  @ApiBody(openApiBody(listQaChangesSchema, 'ListQaChanges'))
  listChanges(@Param('reviewId') reviewId: string, @Param('round') round: string, @Body() body: unknown, @Actor() actor: string) {
    return this.qa.listChanges(reviewId, round, parseInput(listQaChangesSchema, body), actor);
  }

  @Post('qa-rounds/:round/changes/:changeId/done')
  @HttpCode(200)
  @ApiBody(openApiBody(qaChangeDoneSchema(docs), 'QaChangeDone'))
  @ApiHeader(ifMatchDoc('change'))
  markDone(
    @Param('reviewId') reviewId: string,
    @Param('round') round: string,
    @Param('changeId') changeId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.qa.markDone(reviewId, round, changeId, parseInput(qaChangeDoneSchema(this.qa.today), body), actor, ifMatch);
  }
}
