import { Foundation1763800000000 } from './1763800000000-Foundation';
import { Reviews1763850000000 } from './1763850000000-Reviews';
import { CaseFile1763900000000 } from './1763900000000-CaseFile';
import { People1763950000000 } from './1763950000000-People';
import { MeetingsFamily1763960000000 } from './1763960000000-MeetingsFamily';
import { DocumentsActions1763970000000 } from './1763970000000-DocumentsActions';
import { Deadlines1764000000000 } from './1764000000000-Deadlines';
import { AccessLog1764200000000 } from './1764200000000-AccessLog';
import { Identity1764300000000 } from './1764300000000-Identity';
import { Sessions1764400000000 } from './1764400000000-Sessions';
import { ReviewMembers1764450000000 } from './1764450000000-ReviewMembers';
import { NotificationPreferences1764100000000 } from './1764100000000-NotificationPreferences';
import { ApplicationRole1764600000000 } from './1764600000000-ApplicationRole';
import { DatedEvents1764700000000 } from './1764700000000-DatedEvents';
import { ReminderPointer1764800000000 } from './1764800000000-ReminderPointer';
import { RefusalsAndRoleChanges1764900000000 } from './1764900000000-RefusalsAndRoleChanges';
import { TokenExpiry1764940000000 } from './1764940000000-TokenExpiry';
import { SignOffRounds1765000000000 } from './1765000000000-SignOffRounds';
import { ReviewTeam1765100000000 } from './1765100000000-ReviewTeam';
import { ImrSubmissions1765200000000 } from './1765200000000-ImrSubmissions';
import { ReviewListOrder1765290000000 } from './1765290000000-ReviewListOrder';
import { HomeOfficePack1765340000000 } from './1765340000000-HomeOfficePack';
import { NextWorkOn1765360000000 } from './1765360000000-NextWorkOn';
import { TeamRecordRequired1765370000000 } from './1765370000000-TeamRecordRequired';
import { QaRounds1765380000000 } from './1765380000000-QaRounds';
import { SendClaims1765390000000 } from './1765390000000-SendClaims';
import { RecommendationsRegister1765350000000 } from './1765350000000-RecommendationsRegister';

/** Every migration in order; the data source reads this list rather than a file glob. */
export const MIGRATIONS = [
  Foundation1763800000000,
  Reviews1763850000000,
  CaseFile1763900000000,
  People1763950000000,
  MeetingsFamily1763960000000,
  DocumentsActions1763970000000,
  Deadlines1764000000000,
  NotificationPreferences1764100000000,
  AccessLog1764200000000,
  Identity1764300000000,
  Sessions1764400000000,
  ReviewMembers1764450000000,
  ApplicationRole1764600000000,
  DatedEvents1764700000000,
  ReminderPointer1764800000000,
  RefusalsAndRoleChanges1764900000000,
  TokenExpiry1764940000000,
  SignOffRounds1765000000000,
  ReviewTeam1765100000000,
  ImrSubmissions1765200000000,
  ReviewListOrder1765290000000,
  HomeOfficePack1765340000000,
  RecommendationsRegister1765350000000,
  NextWorkOn1765360000000,
  TeamRecordRequired1765370000000,
  QaRounds1765380000000,
  SendClaims1765390000000,
];
