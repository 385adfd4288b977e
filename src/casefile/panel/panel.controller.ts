import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { addPanelMemberSchema, leavePanelSchema } from './panel.schemas';
import { PanelService } from './panel.service';

const docs = () => '2026-01-01';

@ApiTags('panel')
@Controller('reviews/:reviewId/panel-members')
export class PanelController {
  constructor(private readonly panel: PanelService) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(addPanelMemberSchema(docs), 'AddPanelMember'))
  add(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.panel.add(reviewId, parseInput(addPanelMemberSchema(this.panel.today), body), actor);
  }

  @Get()
  list(@Param('reviewId') reviewId: string) {
    return this.panel.list(reviewId);
  }

  @Get(':memberId')
  get(@Param('reviewId') reviewId: string, @Param('memberId') memberId: string) {
    return this.panel.get(reviewId, memberId);
  }

  @Post(':memberId/leave')
  @HttpCode(200)
  @ApiBody(openApiBody(leavePanelSchema(docs), 'LeavePanel'))
  @ApiHeader(ifMatchDoc('panel membership'))
  leave(
    @Param('reviewId') reviewId: string,
    @Param('memberId') memberId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.panel.leave(reviewId, memberId, parseInput(leavePanelSchema(this.panel.today), body), actor, ifMatch);
  }
}
