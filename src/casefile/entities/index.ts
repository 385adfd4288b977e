import { RecommendationAction } from './action.entity';
import { Agency } from './agency.entity';
import { Appointment } from './appointment.entity';
import { DocumentDownload } from './document-download.entity';
import { DocumentVersion } from './document-version.entity';
import { CaseDocument } from './document.entity';
import { FamilyEngagement } from './family-engagement.entity';
import { ImrExtension } from './imr-extension.entity';
import { ImrSubmission } from './imr-submission.entity';
import { Imr } from './imr.entity';
import { PanelMeetingImr } from './panel-meeting-imr.entity';
import { PanelMeeting } from './panel-meeting.entity';
import { PanelMember } from './panel-member.entity';
import { Person } from './person.entity';
import { Proceeding } from './proceeding.entity';
import { Publication } from './publication.entity';
import { QaChange, QaLetter } from './qa-round.entity';
import { Recommendation } from './recommendation.entity';
import { RecordsSecured } from './records-secured.entity';
import { ScopingResponse } from './scoping-response.entity';

export * from './action.entity';
export * from './agency.entity';
export * from './appointment.entity';
export * from './document-download.entity';
export * from './document-version.entity';
export * from './document.entity';
export * from './family-engagement.entity';
export * from './imr-extension.entity';
export * from './imr-submission.entity';
export * from './imr.entity';
export * from './panel-meeting-imr.entity';
export * from './panel-meeting.entity';
export * from './panel-member.entity';
export * from './person.entity';
export * from './proceeding.entity';
export * from './publication.entity';
export * from './qa-round.entity';
export * from './recommendation.entity';
export * from './records-secured.entity';
export * from './scoping-response.entity';

/** The case-file entities (registered in src/infrastructure/database/entities.ts). */
export const CASEFILE_ENTITIES = [
  Agency,
  Appointment,
  PanelMember,
  Imr,
  ImrExtension,
  ImrSubmission,
  PanelMeeting,
  PanelMeetingImr,
  CaseDocument,
  DocumentVersion,
  DocumentDownload,
  Recommendation,
  RecommendationAction,
  FamilyEngagement,
  Proceeding,
  Publication,
  QaLetter,
  QaChange,
  Person,
  ScopingResponse,
  RecordsSecured,
];
