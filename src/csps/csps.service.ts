import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { StateConflictError } from '../infrastructure/http/errors';
import { Csp } from './csp.entity';

@Injectable()
export class CspsService {
  constructor(@InjectRepository(Csp) private readonly repo: Repository<Csp>) {}

  async create(input: { code: string; name: string; boardName?: string }): Promise<Csp> {
    const existing = await this.repo.findOne({ where: { code: input.code } });
    if (existing) throw new StateConflictError(`code: a CSP with code ${input.code} already exists`);
    try {
      return await this.repo.save(this.repo.create(input));
    } catch (error) {
      if ((error as { code?: string }).code === '23505') {
        throw new StateConflictError(`code: a CSP with code ${input.code} already exists`);
      }
      throw error;
    }
  }

  list(): Promise<Csp[]> {
    return this.repo.find({ order: { name: 'ASC' } });
  }
}
