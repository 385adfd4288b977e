import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { FamilyController } from './family.controller';
import { FamilyService } from './family.service';

@Module({ imports: [CaseFileCoreModule], controllers: [FamilyController], providers: [FamilyService], exports: [FamilyService] })
export class FamilyModule {}
