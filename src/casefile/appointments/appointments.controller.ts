import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { appointSchema, declareIndependenceSchema, endAppointmentSchema } from './appointments.schemas';
import { AppointmentsService } from './appointments.service';

const docs = () => '2026-01-01';
const IF_MATCH = ifMatchDoc('appointment');

@ApiTags('appointments')
@Controller('reviews/:reviewId/appointments')
export class AppointmentsController {
  constructor(private readonly appointments: AppointmentsService) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(appointSchema(docs), 'Appoint'))
  appoint(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.appointments.appoint(reviewId, parseInput(appointSchema(this.appointments.today), body), actor);
  }

  @Get()
  list(@Param('reviewId') reviewId: string) {
    return this.appointments.list(reviewId);
  }

  @Get(':appointmentId')
  get(@Param('reviewId') reviewId: string, @Param('appointmentId') appointmentId: string) {
    return this.appointments.get(reviewId, appointmentId);
  }

  @Post(':appointmentId/independence-declaration')
  @HttpCode(200)
  @ApiBody(openApiBody(declareIndependenceSchema, 'DeclareIndependence'))
  @ApiHeader(IF_MATCH)
  declareIndependence(
    @Param('reviewId') reviewId: string,
    @Param('appointmentId') appointmentId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.appointments.declareIndependence(reviewId, appointmentId, parseInput(declareIndependenceSchema, body), actor, ifMatch);
  }

  @Post(':appointmentId/end')
  @HttpCode(200)
  @ApiBody(openApiBody(endAppointmentSchema(docs), 'EndAppointment'))
  @ApiHeader(IF_MATCH)
  end(
    @Param('reviewId') reviewId: string,
    @Param('appointmentId') appointmentId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.appointments.end(reviewId, appointmentId, parseInput(endAppointmentSchema(this.appointments.today), body), actor, ifMatch);
  }
}
