import { Body, Controller, ForbiddenException, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access } from '../../access/access.decorator';
import { allows } from '../../access/access.service';
import type { AccessContext } from '../../access/access.service';
import { Actor } from '../../infrastructure/http/actor';
import { IfMatchHeader, ifMatchDoc } from '../../infrastructure/http/if-match';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { addPersonSchema, correctPersonSchema, readPeopleQuerySchema } from './people.schemas';
import { PeopleService } from './people.service';

/**
 * `?include=realNames` shows real names: only to those the policy allows `people.realNames`
 * (the CSP lead and the chair); anyone else asking gets a 403, not a quiet pseudonym. The
 * read is in the access log with its query string. The People page reads through this too.
 */
export function readOptions(query: unknown, access: AccessContext) {
  const realNames = parseInput(readPeopleQuerySchema, query).include === 'realNames';
  if (realNames && !allows(access, 'people.realNames')) {
    throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', message: 'include: real names are shown only to the CSP lead and the chair' });
  }
  return { realNames };
}

@ApiTags('people')
@Controller('reviews/:reviewId/people')
export class PeopleController {
  constructor(private readonly people: PeopleService) {}

  @Post()
  @HttpCode(201)
  @ApiBody(openApiBody(addPersonSchema, 'AddPerson'))
  add(@Param('reviewId') reviewId: string, @Body() body: unknown, @Actor() actor: string) {
    return this.people.add(reviewId, parseInput(addPersonSchema, body), actor);
  }

  @Get()
  @ApiQuery({ name: 'include', required: false, enum: ['realNames'], description: 'Add real names (pseudonyms only by default).' })
  list(@Param('reviewId') reviewId: string, @Query() query: unknown, @Access() access: AccessContext) {
    return this.people.list(reviewId, readOptions(query, access));
  }

  @Get(':personId')
  @ApiQuery({ name: 'include', required: false, enum: ['realNames'], description: 'Add the real name (pseudonym only by default).' })
  get(@Param('reviewId') reviewId: string, @Param('personId') personId: string, @Query() query: unknown, @Access() access: AccessContext) {
    return this.people.get(reviewId, personId, readOptions(query, access));
  }

  @Patch(':personId')
  @HttpCode(200)
  @ApiBody(openApiBody(correctPersonSchema, 'CorrectPerson'))
  @ApiHeader(ifMatchDoc('person record'))
  correct(
    @Param('reviewId') reviewId: string,
    @Param('personId') personId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @IfMatchHeader() ifMatch: string,
  ) {
    return this.people.correct(reviewId, personId, parseInput(correctPersonSchema, body), actor, ifMatch);
  }
}
