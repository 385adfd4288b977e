import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Access } from '../../access/access.decorator';
import type { AccessContext } from '../../access/access.service';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { parseInput } from '../../infrastructure/http/validation';
import { openApiBody } from '../../infrastructure/http/openapi';
import {
  commissionImrSchema,
  commissionImrsSchema,
  extendImrSchema,
  qualityCheckImrSchema,
  receiveImrSchema,
  signOffImrSchema,
  waiveImrSchema,
} from './imrs.schemas';
import { ImrsService } from './imrs.service';

const docs = () => '2026-01-01';

@ApiTags('imrs')
@Controller('reviews/:reviewId/imrs')
export class ImrsController {
  constructor(private readonly imrs: ImrsService) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(commissionImrSchema(docs), 'CommissionImr'))
  commission(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.imrs.commission(reviewId, parseInput(commissionImrSchema(this.imrs.today), body), actor);
  }

  /** IMRs from several agencies at once (one transaction; a refused agency is named, and none is commissioned). */
  @Post('commissions')
  @HttpCode(201)
  @ApiBody(openApiBody(commissionImrsSchema(docs), 'CommissionImrs'))
  commissionMany(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.imrs.commissionMany(reviewId, parseInput(commissionImrsSchema(this.imrs.today), body), actor);
  }

  @Get()
  list(@Param('reviewId') reviewId: string, @Access() access: AccessContext) {
    return this.imrs.list(reviewId, access.restriction ? (access.restriction.agencyIds ?? []) : null);
  }

  @Get(':imrId')
  get(@Param('reviewId') reviewId: string, @Param('imrId') imrId: string) {
    return this.imrs.get(reviewId, imrId);
  }

  @Post(':imrId/extensions')
  @ApiHeader(ifMatchDoc('IMR'))
  @HttpCode(201)
  @ApiBody(openApiBody(extendImrSchema(docs), 'ExtendImr'))
  extend(
    @Param('reviewId') reviewId: string,
    @Param('imrId') imrId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.imrs.extend(reviewId, imrId, parseInput(extendImrSchema(this.imrs.today), body), actor, ifMatch);
  }

  @Post(':imrId/receipt')
  @ApiHeader(ifMatchDoc('IMR'))
  @HttpCode(200)
  @ApiBody(openApiBody(receiveImrSchema(docs), 'ReceiveImr'))
  receive(
    @Param('reviewId') reviewId: string,
    @Param('imrId') imrId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.imrs.receive(reviewId, imrId, parseInput(receiveImrSchema(this.imrs.today), body), actor, ifMatch);
  }

  @Post(':imrId/quality-check')
  @ApiHeader(ifMatchDoc('IMR'))
  @HttpCode(200)
  @ApiBody(openApiBody(qualityCheckImrSchema(docs), 'QualityCheckImr'))
  qualityCheck(
    @Param('reviewId') reviewId: string,
    @Param('imrId') imrId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.imrs.qualityCheck(reviewId, imrId, parseInput(qualityCheckImrSchema(this.imrs.today), body), actor, ifMatch);
  }

  @Post(':imrId/sign-off')
  @ApiHeader(ifMatchDoc('IMR'))
  @HttpCode(200)
  @ApiBody(openApiBody(signOffImrSchema(docs), 'SignOffImr'))
  signOff(
    @Param('reviewId') reviewId: string,
    @Param('imrId') imrId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.imrs.signOff(reviewId, imrId, parseInput(signOffImrSchema(this.imrs.today), body), actor, ifMatch);
  }

  @Post(':imrId/waiver')
  @ApiHeader(ifMatchDoc('IMR'))
  @HttpCode(200)
  @ApiBody(openApiBody(waiveImrSchema, 'WaiveImr'))
  waive(
    @Param('reviewId') reviewId: string,
    @Param('imrId') imrId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.imrs.waive(reviewId, imrId, parseInput(waiveImrSchema, body), actor, ifMatch);
  }
}
