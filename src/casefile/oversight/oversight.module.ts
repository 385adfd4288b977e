import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { OversightController } from './oversight.controller';
import { OversightService } from './oversight.service';

@Module({ imports: [CaseFileCoreModule], controllers: [OversightController], providers: [OversightService], exports: [OversightService] })
export class OversightModule {}
