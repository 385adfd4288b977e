import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Actor } from '../../infrastructure/http/actor';
import { StateConflictError } from '../../infrastructure/http/errors';
import { parseInput, text } from '../../infrastructure/http/validation';
import { Agency, AGENCY_KINDS } from '../entities';

export const createAgencySchema = z.object({ name: text(200), kind: z.enum(AGENCY_KINDS) }).strict();

/** Agencies are shared by every review of the installation (police, health, council, ...). */
@ApiTags('agencies')
@Controller('agencies')
export class AgenciesController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @Actor() _actor: string) {
    const input = parseInput(createAgencySchema, body);
    const existing = await this.dataSource.manager.findOne(Agency, { where: { name: input.name } });
    if (existing) throw new StateConflictError(`name: an agency called ${input.name} already exists`, [], { id: existing.id });
    return this.dataSource.manager.save(this.dataSource.manager.create(Agency, input));
  }

  @Get()
  list() {
    return this.dataSource.manager.find(Agency, { order: { name: 'ASC' } });
  }
}
