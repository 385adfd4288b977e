import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { ActionsModule } from '../casefile/actions/actions.module';
import { AppointmentsModule } from '../casefile/appointments/appointments.module';
import { CaseFileModule } from '../casefile/casefile.module';
import { DocumentsModule } from '../casefile/documents/documents.module';
import { FamilyModule } from '../casefile/family/family.module';
import { ImrsModule } from '../casefile/imrs/imrs.module';
import { MeetingsModule } from '../casefile/meetings/meetings.module';
import { OversightModule } from '../casefile/oversight/oversight.module';
import { PanelModule } from '../casefile/panel/panel.module';
import { PeopleModule } from '../casefile/people/people.module';
import { ProceedingsModule } from '../casefile/proceedings/proceedings.module';
import { PublicationModule } from '../casefile/publication/publication.module';
import { RecommendationsModule } from '../casefile/recommendations/recommendations.module';
import { ScopingModule } from '../casefile/scoping/scoping.module';
import { CspsModule } from '../csps/csps.module';
import { DeadlinesModule } from '../deadlines/deadlines.module';
import { IdentityModule } from '../identity/identity.module';
import { SignInRateLimitMiddleware } from '../identity/sessions.controller';
import { ReviewsModule } from '../reviews/reviews.module';
import { CommitteeReportPagesController } from '../reports/committee-report-page.controller';
import { ReportsModule } from '../reports/reports.module';
import { HomeOfficeModule } from '../reports/home-office/home-office.module';
import { HomeOfficeChecklistPagesController } from '../reports/home-office/home-office-checklist-page.controller';
import { CorrectionsPagesController } from './pages/corrections.controller';
import { ActionPlanPagesController } from './pages/action-plan.controller';
import { AdminPagesController } from './pages/admin.controller';
import { CasesPagesController } from './pages/cases.controller';
import { DocumentsPagesController } from './pages/documents.controller';
import { FamilyPagesController } from './pages/family.controller';
import { ImrsPagesController } from './pages/imrs.controller';
import { ImrSubmissionsPagesController } from './pages/imr-submissions.controller';
import { MeetingsPagesController } from './pages/meetings.controller';
import { WorkModule } from '../work/work.module';
import { MyWorkPagesController } from './pages/my-work.controller';
import { QaPagesController } from './pages/oversight.controller';
import { PeoplePagesController } from './pages/people.controller';
import { ProceedingsPagesController } from './pages/proceedings.controller';
import { PublicationPagesController } from './pages/publication.controller';
import { RecommendationsPagesController } from './pages/recommendations.controller';
import { ScopingPagesController } from './pages/scoping.controller';
import { SignInPagesController } from './pages/sign-in.controller';
import { SignOffPagesController } from './pages/sign-off.controller';
import { TeamPagesController } from './pages/team.controller';
import { PartnershipOversightPagesController } from './pages/partnership-oversight.controller';
import { PartnershipOversightModule } from '../reports/oversight/oversight.module';
import { RecommendationsRegisterModule } from '../reports/register/register.module';
import { RecommendationsRegisterPagesController } from '../reports/register/register-page.controller';
import { ReviewCodingPagesController } from '../reports/register/review-coding-page.controller';
import { CaseTabs } from './case-tabs';
import { FormPages } from './pages/form-page';
import { WebViews } from './web-views';

/** Page controllers, in the order their routes must be registered. */
export const WEB_CONTROLLERS = [
  SignInPagesController,
  MyWorkPagesController,
  CasesPagesController,
  TeamPagesController,
  PeoplePagesController,
  ImrsPagesController,
  ImrSubmissionsPagesController,
  RecommendationsPagesController,
  ActionPlanPagesController,
  CorrectionsPagesController,
  SignOffPagesController,
  MeetingsPagesController,
  DocumentsPagesController,
  FamilyPagesController,
  ScopingPagesController,
  ProceedingsPagesController,
  QaPagesController,
  HomeOfficeChecklistPagesController,
  PublicationPagesController,
  AdminPagesController,
  CommitteeReportPagesController,
  PartnershipOversightPagesController,
  RecommendationsRegisterPagesController,
  ReviewCodingPagesController,
];

/**
 * The web interface: server-rendered GOV.UK pages (Nunjucks, govuk-frontend) over the same
 * services as the API. Every page route is in WEB_ROUTE_ACTIONS for the access policy.
 */
@Module({
  imports: [
    IdentityModule,
    ReviewsModule,
    DeadlinesModule,
    CspsModule,
    CaseFileModule,
    ImrsModule,
    RecommendationsModule,
    ActionsModule,
    DocumentsModule,
    PeopleModule,
    OversightModule,
    MeetingsModule,
    FamilyModule,
    PublicationModule,
    AppointmentsModule,
    PanelModule,
    ScopingModule,
    ProceedingsModule,
    WorkModule,
    ReportsModule,
    PartnershipOversightModule,
    RecommendationsRegisterModule,
    HomeOfficeModule,
  ],
  controllers: WEB_CONTROLLERS,
  providers: [WebViews, CaseTabs, FormPages],
})
export class WebModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    // The sign-in page has the same per-address limit as POST /auth/sessions.
    consumer.apply(SignInRateLimitMiddleware).forRoutes(SignInPagesController);
  }
}
