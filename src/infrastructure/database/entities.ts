import { AccessLogEntry } from '../../audit/access-log.entity';
import { CASEFILE_ENTITIES } from '../../casefile/entities';
import { Csp } from '../../csps/csp.entity';
import { DEADLINE_ENTITIES } from '../../deadlines';
import { ApiToken, User, UserRoleChange, UserRoleGrant } from '../../identity/identity.entities';
import { UserSession } from '../../identity/sessions.entity';
import { ReviewMember } from '../../access/review-member.entity';
import { ReviewInvitation } from '../../access/review-invitation.entity';
import { NotificationPreference } from '../../reminders/notification-preference.entity';
import { ReviewEventRecord } from '../../reviews/review-event.entity';
import { Review } from '../../reviews/review.entity';
import { ReviewCoding } from '../../reports/register/review-coding.entity';
import { HOME_OFFICE_ENTITIES } from '../../reports/home-office/home-office.entities';

/** Every entity, listed once: the data source and the drift test both read this list. */
export const ENTITIES = [Csp, Review, ReviewEventRecord, ...CASEFILE_ENTITIES, ...DEADLINE_ENTITIES, AccessLogEntry, User, UserRoleGrant, UserRoleChange, ApiToken, UserSession, NotificationPreference, ReviewMember, ReviewInvitation, ReviewCoding, ...HOME_OFFICE_ENTITIES];
