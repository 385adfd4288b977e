import { Body, Controller, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { confirmAnonymisationSchema, putPublicationSchema } from './publication.schemas';
import { PublicationService } from './publication.service';

@ApiTags('publication')
@Controller('reviews/:reviewId/publication')
export class PublicationController {
  constructor(private readonly publication: PublicationService) {}

  @Get()
  get(@Param('reviewId') reviewId: string) {
    return this.publication.get(reviewId);
  }

  @Put()
  @HttpCode(200)
  @ApiHeader({ ...ifMatchDoc('publication record'), required: false, description: "Once the record exists, its version as read: 412 if it has changed since, 428 if absent. Not needed to create it." })
  @ApiBody(openApiBody(putPublicationSchema, 'PublicationRecord'))
  put(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string, @IfMatchHeader() ifMatch: string) {
    return this.publication.put(reviewId, parseInput(putPublicationSchema, body), actor, ifMatch);
  }

  @Post('anonymisation-confirmation')
  @ApiHeader(ifMatchDoc('publication record'))
  @HttpCode(200)
  @ApiBody(openApiBody(confirmAnonymisationSchema, 'ConfirmAnonymisation'))
  confirm(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string, @IfMatchHeader() ifMatch: string) {
    return this.publication.confirmAnonymisation(reviewId, parseInput(confirmAnonymisationSchema, body), actor, ifMatch);
  }
}
