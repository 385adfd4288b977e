import { Module } from '@nestjs/common';
import { AgenciesController } from './agencies/agencies.controller';
import { ImrsModule } from './imrs/imrs.module';

/** The records a review is made of: one module per kind of record, each under the review lock. */
@Module({
  imports: [
    ImrsModule,
  ],
  controllers: [AgenciesController],
})
export class CaseFileModule {}
