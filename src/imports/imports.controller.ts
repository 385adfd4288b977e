import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Access } from '../access/access.decorator';
import type { AccessContext } from '../access/access.service';
import { Actor } from '../infrastructure/http/actor';
import { RequestValidationError } from '../infrastructure/http/errors';
import { csvToImport } from './import-csv';
import { ReviewImportService } from './review-import.service';

@ApiTags('imports')
@Controller('imports')
export class ImportsController {
  constructor(private readonly imports: ReviewImportService) {}

  /**
   * A `dhr-import/1` file (README, "Bringing in reviews already under way"). Each review is
   * created in one transaction or refused whole; the report names the review, the item and the
   * reason of every refusal. `?dryRun=true` checks everything and writes nothing.
   */
  @Post()
  @HttpCode(200)
  @ApiQuery({ name: 'dryRun', required: false, enum: ['true', 'false'] })
  @ApiOkResponse({ description: 'The report: created (or valid, in a dry run) and refused reviews, each refusal with its item, field and reason.' })
  @ApiBadRequestResponse({ description: 'The file is not a dhr-import/1 file; `errors` names the field.' })
  async import(@Body() body: unknown, @Query('dryRun') dryRun: string | undefined, @Actor() actor: string, @Access() access: AccessContext) {
    if (dryRun !== undefined && dryRun !== 'true' && dryRun !== 'false') {
      throw new RequestValidationError([{ field: 'dryRun', message: 'must be true or false' }]);
    }
    let file: unknown = body;
    if (typeof body === 'string') {
      try {
        file = csvToImport(body);
      } catch (error) {
        throw new RequestValidationError([{ field: 'body', message: `is not a CSV of the import columns: ${(error as Error).message}` }]);
      }
    }
    return this.imports.run(this.imports.parseFile(file), actor, { dryRun: dryRun === 'true', access });
  }
}
