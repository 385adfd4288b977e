import { Module } from '@nestjs/common';
import { AgenciesController } from './agencies/agencies.controller';
import { AgenciesService } from './agencies/agencies.service';
import { ImrsModule } from './imrs/imrs.module';
import { DocumentsModule } from './documents/documents.module';
import { RecommendationsModule } from './recommendations/recommendations.module';
import { ActionsModule } from './actions/actions.module';
import { MeetingsModule } from './meetings/meetings.module';
import { FamilyModule } from './family/family.module';
import { ProceedingsModule } from './proceedings/proceedings.module';
import { PublicationModule } from './publication/publication.module';
import { OversightModule } from './oversight/oversight.module';
import { PeopleModule } from './people/people.module';
import { AppointmentsModule } from './appointments/appointments.module';
import { PanelModule } from './panel/panel.module';
import { ScopingModule } from './scoping/scoping.module';

/** The records a review is made of: one module per kind of record, each under the review lock. */
@Module({
  imports: [
    ImrsModule,
    DocumentsModule, RecommendationsModule, ActionsModule,
    MeetingsModule, FamilyModule, ProceedingsModule, PublicationModule, OversightModule,
    PeopleModule,
    AppointmentsModule,
    PanelModule,
    ScopingModule,
  ],
  controllers: [AgenciesController],
  providers: [AgenciesService],
  exports: [AgenciesService],
})
export class CaseFileModule {}
