import { Module } from '@nestjs/common';
import { PartnershipOversightController } from './oversight.controller';
import { PartnershipOversightService } from './oversight.service';

/** The partnership's oversight figures: API here; its page is in the web module. */
@Module({ controllers: [PartnershipOversightController], providers: [PartnershipOversightService], exports: [PartnershipOversightService] })
export class PartnershipOversightModule {}
