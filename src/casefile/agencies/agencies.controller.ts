import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { parseInput } from '../../infrastructure/http/validation';
import { AgenciesService, createAgencySchema } from './agencies.service';

/** Agencies are shared by every review of the installation (police, health, council, ...). */
@ApiTags('agencies')
@Controller('agencies')
export class AgenciesController {
  constructor(private readonly agencies: AgenciesService) {}

  @Post()
  @HttpCode(201)
  create(@Body() body: unknown, @Actor() _actor: string) {
    return this.agencies.create(parseInput(createAgencySchema, body));
  }

  @Get()
  list() {
    return this.agencies.list();
  }
}
