import { Module } from '@nestjs/common';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { CaseFileTransactions } from './casefile-transactions';

/** What every case-file feature module needs: transactions under the review lock. */
@Module({ imports: [DeadlinesModule], providers: [CaseFileTransactions], exports: [CaseFileTransactions] })
export class CaseFileCoreModule {}
