import { Controller, Get, Query } from '@nestjs/common';
import { ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access.decorator';
import type { AccessContext } from '../access/access.service';
import { parseInput } from '../infrastructure/http/validation';
import { DEADLINE_STATUSES } from './deadline.entity';
import { DeadlinesService, listDeadlinesQuery } from './deadlines.service';

/** Deadlines across reviews: what is due, for whom, soonest first. */
@ApiTags('deadlines')
@Controller('deadlines')
export class DeadlinesController {
  constructor(private readonly deadlines: DeadlinesService) {}

  @Get()
  @ApiQuery({ name: 'due_before', required: false, description: 'Only deadlines due before this date or instant.' })
  @ApiQuery({ name: 'owner', required: false, description: 'Only deadlines concerning this person (email or name).' })
  @ApiQuery({ name: 'status', required: false, enum: DEADLINE_STATUSES })
  @ApiQuery({ name: 'reviewId', required: false })
  list(@Query() query: unknown, @Access() access: AccessContext) {
    return this.deadlines.list(parseInput(listDeadlinesQuery, query), access);
  }
}
