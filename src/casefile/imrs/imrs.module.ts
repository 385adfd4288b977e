import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { ImrsController } from './imrs.controller';
import { ImrsService } from './imrs.service';

@Module({ imports: [CaseFileCoreModule], controllers: [ImrsController], providers: [ImrsService], exports: [ImrsService] })
export class ImrsModule {}
