import { EntityManager, IsNull } from 'typeorm';
import { ReviewMember, ReviewRole } from './review-member.entity';

/**
 * One record per person on a review (issue 14 item 2): an appointment (chair, report writer)
 * or a panel record is the declaration of a team record (review_members), never a second
 * record of the person. The team record is the membership of the same review, role (and
 * agency) whose email is theirs; else a new one without a user, which gives no access and
 * which an invitation to that email attaches when accepted. In the caller's transaction.
 */
export async function teamRecordFor(
  manager: EntityManager,
  who: { reviewId: string; role: ReviewRole; agencyId: string | null; name: string; email: string | null; actor: string; now: Date },
): Promise<string> {
  const email = who.email ? who.email.trim().toLowerCase() : null;
  if (email) {
    const found = await manager
      .createQueryBuilder(ReviewMember, 'm')
      .leftJoin('m.user', 'u')
      .where('m.review_id = :reviewId AND m.role = :role AND m.ended_at IS NULL AND coalesce(u.email, m.email) = :email', { reviewId: who.reviewId, role: who.role, email })
      .andWhere(who.agencyId ? 'm.agency_id = :agencyId' : 'm.agency_id IS NULL', { agencyId: who.agencyId })
      .orderBy('m.added_at', 'ASC')
      .getOne();
    if (found) return found.id;
  } else {
    // Without an email, the same name in the same role (and agency) is the same person.
    const found = await manager
      .createQueryBuilder(ReviewMember, 'm')
      .leftJoin('m.user', 'u')
      .where('m.review_id = :reviewId AND m.role = :role AND m.ended_at IS NULL AND lower(coalesce(u.display_name, m.display_name)) = lower(:name)', { reviewId: who.reviewId, role: who.role, name: who.name.trim() })
      .andWhere(who.agencyId ? 'm.agency_id = :agencyId' : 'm.agency_id IS NULL', { agencyId: who.agencyId })
      .orderBy('m.added_at', 'ASC')
      .getOne();
    if (found) return found.id;
  }
  const made = await manager.save(
    manager.create(ReviewMember, {
      reviewId: who.reviewId,
      userId: null,
      email,
      displayName: who.name,
      role: who.role,
      agencyId: who.agencyId,
      addedBy: who.actor,
      addedAt: who.now,
      endedAt: null,
      endedBy: null,
    }),
  );
  return made.id;
}

/** Ends the team record of an ended appointment or panel record, if it is one without a user (a user's membership is ended on its own). */
export async function endTeamRecord(manager: EntityManager, memberId: string | null, actor: string, now: Date): Promise<void> {
  if (!memberId) return;
  await manager.update(ReviewMember, { id: memberId, userId: IsNull(), endedAt: IsNull() }, { endedAt: now, endedBy: actor });
}
