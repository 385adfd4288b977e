import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { StateConflictError } from '../../infrastructure/http/errors';
import { text } from '../../infrastructure/http/validation';
import { Agency, AGENCY_KINDS } from '../entities';

export const createAgencySchema = z.object({ name: text(200), kind: z.enum(AGENCY_KINDS) }).strict();

/** Agencies are shared by every review of the installation (police, health, council, ...). */
@Injectable()
export class AgenciesService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async create(input: z.output<typeof createAgencySchema>): Promise<Agency> {
    const existing = await this.dataSource.manager.findOne(Agency, { where: { name: input.name } });
    if (existing) throw new StateConflictError(`name: an agency called ${input.name} already exists`, [], { id: existing.id });
    return this.dataSource.manager.save(this.dataSource.manager.create(Agency, input));
  }

  list(): Promise<Agency[]> {
    return this.dataSource.manager.find(Agency, { order: { name: 'ASC' } });
  }
}
