import { Body, Controller, Get, HttpCode, Param, Post, Req, UseInterceptors } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { ImrSubmissionUploadInterceptor, submissionFiles } from './imr-submission-upload.interceptor';
import type { SubmissionRequest } from './imr-submission-upload.interceptor';
import { ImrSubmissionsService } from './imr-submissions.service';
import { confirmImrSubmissionSchema, sendBackImrSubmissionSchema } from './imrs.schemas';

const docs = () => '2026-01-01';
const FILE_DOC =
  'PDF, Word (.docx), OpenDocument text (.odt), plain text, PNG or JPEG, with its content type declared in the part; at most DOCUMENT_MAX_BYTES.';

/**
 * An agency's IMR sent through the service (the upload is the submission), and the chair's
 * answer: confirm its receipt, or send it back with comments.
 */
@ApiTags('imrs')
@Controller('reviews/:reviewId/imrs/:imrId/submissions')
export class ImrSubmissionsController {
  constructor(private readonly submissions: ImrSubmissionsService) {}

  /** Multipart: `report` (the IMR or short report, required) and `chronology` (optional). */
  @Post()
  @HttpCode(201)
  @UseInterceptors(ImrSubmissionUploadInterceptor)
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      title: 'SubmitImr',
      type: 'object',
      required: ['report'],
      properties: {
        report: { type: 'string', format: 'binary', description: `The IMR or short report. ${FILE_DOC}` },
        chronology: { type: 'string', format: 'binary', description: `Its chronology (optional). ${FILE_DOC}` },
      },
    },
  })
  submit(@Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Req() req: SubmissionRequest, @Body() fields: unknown, @Actor() actor: string) {
    return this.submissions.submit(reviewId, imrId, fields, submissionFiles(req), actor);
  }

  @Get()
  list(@Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    return this.submissions.list(reviewId, imrId);
  }

  @Post('confirmation')
  @HttpCode(200)
  @ApiHeader(ifMatchDoc('IMR'))
  @ApiBody(openApiBody(confirmImrSubmissionSchema(docs), 'ConfirmImrSubmission'))
  confirm(@Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Body() body: unknown, @Actor() actor: string, @IfMatchHeader() ifMatch: string) {
    return this.submissions.confirm(reviewId, imrId, parseInput(confirmImrSubmissionSchema(this.submissions.today), body ?? {}), actor, ifMatch);
  }

  @Post('return')
  @HttpCode(200)
  @ApiHeader(ifMatchDoc('IMR'))
  @ApiBody(openApiBody(sendBackImrSubmissionSchema, 'SendBackImrSubmission'))
  sendBack(@Param('reviewId') reviewId: string, @Param('imrId') imrId: string, @Body() body: unknown, @Actor() actor: string, @IfMatchHeader() ifMatch: string) {
    return this.submissions.sendBack(reviewId, imrId, parseInput(sendBackImrSubmissionSchema, body), actor, ifMatch);
  }
}
