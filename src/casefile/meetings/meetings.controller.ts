import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { cancelMeetingSchema, holdMeetingSchema, scheduleMeetingSchema, updateMeetingSchema } from './meetings.schemas';
import { MeetingsService } from './meetings.service';

const docs = () => '2026-01-01';

@ApiTags('panel meetings')
@Controller('reviews/:reviewId/meetings')
export class MeetingsController {
  constructor(private readonly meetings: MeetingsService) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(scheduleMeetingSchema(docs), 'ScheduleMeeting'))
  schedule(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.meetings.schedule(reviewId, parseInput(scheduleMeetingSchema(this.meetings.today), body), actor);
  }

  @Get()
  list(@Param('reviewId') reviewId: string) {
    return this.meetings.list(reviewId);
  }

  @Get(':meetingId')
  get(@Param('reviewId') reviewId: string, @Param('meetingId') meetingId: string) {
    return this.meetings.get(reviewId, meetingId);
  }

  @Patch(':meetingId')
  @ApiHeader(ifMatchDoc('meeting'))
  @ApiBody(openApiBody(updateMeetingSchema(docs), 'UpdateMeeting'))
  update(
    @Param('reviewId') reviewId: string,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.meetings.update(reviewId, meetingId, parseInput(updateMeetingSchema(this.meetings.today), body), actor, ifMatch);
  }

  @Post(':meetingId/held')
  @ApiHeader(ifMatchDoc('meeting'))
  @HttpCode(200)
  @ApiBody(openApiBody(holdMeetingSchema, 'HoldMeeting'))
  hold(
    @Param('reviewId') reviewId: string,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.meetings.hold(reviewId, meetingId, parseInput(holdMeetingSchema, body), actor, ifMatch);
  }

  @Post(':meetingId/cancel')
  @ApiHeader(ifMatchDoc('meeting'))
  @HttpCode(200)
  @ApiBody(openApiBody(cancelMeetingSchema, 'CancelMeeting'))
  cancel(
    @Param('reviewId') reviewId: string,
    @Param('meetingId') meetingId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.meetings.cancel(reviewId, meetingId, parseInput(cancelMeetingSchema, body), actor, ifMatch);
  }
}
