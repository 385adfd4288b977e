import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { Actor } from '../infrastructure/http/actor';
import { parseInput } from '../infrastructure/http/validation';
import { CspsService } from './csps.service';

export const createCspSchema = z
  .object({
    code: z.string().regex(/^[A-Z][A-Z0-9-]{1,31}$/, 'must be 2-32 capital letters, digits or -, starting with a letter'),
    name: z.string().trim().min(1, 'is required').max(200, 'must be at most 200 characters'),
    boardName: z.string().trim().min(1).max(200, 'must be at most 200 characters').optional(),
  })
  .strict();

@ApiTags('csps')
@Controller('csps')
export class CspsController {
  constructor(private readonly csps: CspsService) {}

  @Post()
  @HttpCode(201)
  @ApiBody({
    schema: {
      type: 'object',
      required: ['code', 'name'],
      properties: {
        code: { type: 'string', example: 'MALDON' },
        name: { type: 'string', example: 'Maldon Community Safety Partnership' },
        boardName: { type: 'string', example: 'Responsible Authorities Group' },
      },
    },
  })
  @ApiCreatedResponse({ description: 'The CSP was created.' })
  create(@Body() body: unknown, @Actor() _actor: string) {
    return this.csps.create(parseInput(createCspSchema, body));
  }

  @Get()
  list() {
    return this.csps.list();
  }
}
