import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { OversightService } from './oversight.service';

/** Read views over the lifecycle events: record them with POST /reviews/:id/events. */
@ApiTags('sign-off and quality assurance')
@Controller('reviews/:reviewId')
export class OversightController {
  constructor(private readonly oversight: OversightService) {}

  @Get('rag-decisions')
  @ApiOkResponse({ description: 'The CSP board (RAG) decisions, oldest first: approved or returned, with comments and who decided.' })
  ragDecisions(@Param('reviewId') reviewId: string) {
    return this.oversight.ragDecisions(reviewId);
  }

  @Get('qa-rounds')
  @ApiOkResponse({ description: 'Home Office QA rounds, oldest first: each submission with its outcome once the letter is recorded.' })
  qaRounds(@Param('reviewId') reviewId: string) {
    return this.oversight.qaRounds(reviewId);
  }
}
