import { Body, Controller, Get, Headers, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Actor } from '../../infrastructure/http/actor';
import { openApiBody } from '../../infrastructure/http/openapi';
import { parseInput } from '../../infrastructure/http/validation';
import { addPersonSchema, correctPersonSchema, readPeopleQuerySchema } from './people.schemas';
import { PeopleService } from './people.service';

/**
 * `?include=realNames` shows real names. For now anyone who can read the review may ask; the
 * access-control issue restricts it to the CSP lead and the chair (and should audit the read).
 */
const readOptions = (query: unknown) => ({ realNames: parseInput(readPeopleQuerySchema, query).include === 'realNames' });

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
  list(@Param('reviewId') reviewId: string, @Query() query: unknown) {
    return this.people.list(reviewId, readOptions(query));
  }

  @Get(':personId')
  @ApiQuery({ name: 'include', required: false, enum: ['realNames'], description: 'Add the real name (pseudonym only by default).' })
  get(@Param('reviewId') reviewId: string, @Param('personId') personId: string, @Query() query: unknown) {
    return this.people.get(reviewId, personId, readOptions(query));
  }

  @Patch(':personId')
  @HttpCode(200)
  @ApiBody(openApiBody(correctPersonSchema, 'CorrectPerson'))
  @ApiHeader({ name: 'If-Match', required: false, description: 'The person record\'s version; a stale one gets 412.' })
  correct(
    @Param('reviewId') reviewId: string,
    @Param('personId') personId: string,
    @Body() body: unknown,
    @Actor() actor: string,
    @Headers('if-match') ifMatch?: string,
  ) {
    return this.people.correct(reviewId, personId, parseInput(correctPersonSchema, body), actor, ifMatch);
  }
}
