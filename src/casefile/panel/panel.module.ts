import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { PanelController } from './panel.controller';
import { PanelService } from './panel.service';

@Module({ imports: [CaseFileCoreModule], controllers: [PanelController], providers: [PanelService], exports: [PanelService] })
export class PanelModule {}
