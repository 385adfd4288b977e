import { Module } from '@nestjs/common';
import { CaseFileTransactions } from './casefile-transactions';

/** What every case-file feature module needs: transactions under the review lock. */
@Module({ providers: [CaseFileTransactions], exports: [CaseFileTransactions] })
export class CaseFileCoreModule {}
