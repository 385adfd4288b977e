import { endTeamRecord, teamRecordFor } from '../../access/team-records';
import { assertInOrder } from '../../reviews/chronology';
import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { z } from 'zod';
import { StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, CaseFileWrite, checkIfMatch, findInReview, mustExist } from '../casefile-transactions';
import { Agency, PanelMember } from '../entities';
import type { addPanelMemberSchema, leavePanelSchema } from './panel.schemas';

type Input<F extends (...args: never[]) => z.ZodTypeAny> = z.output<ReturnType<F>>;

/**
 * Panel membership: a senior representative of an agency, who declares they did not manage the
 * case directly. Members leave (a date) rather than being deleted; the facts count members who
 * have not left, so joining and leaving go into the review's history.
 */
@Injectable()
export class PanelService {
  constructor(private readonly tx: CaseFileTransactions) {}

  today = () => this.tx.today();

  list(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const members = await manager.find(PanelMember, { where: { reviewId }, order: { joinedOn: 'ASC', createdAt: 'ASC' } });
      return members.map((m) => this.view(m));
    });
  }

  get(reviewId: string, memberId: string) {
    return this.tx.read(reviewId, async (manager) => this.view(await findInReview(manager, PanelMember, reviewId, memberId, 'panel member')));
  }

  add(reviewId: string, input: Input<typeof addPanelMemberSchema>, actor: string) {
    return this.tx.write(reviewId, actor, (w) => this.addWithin(w, reviewId, input, actor));
  }

  /** A panel record in the caller's review transaction (the team's one "add" form records the membership with it). */
  async addWithin({ manager, now, record }: CaseFileWrite, reviewId: string, input: Input<typeof addPanelMemberSchema>, actor: string) {
    const agency = await mustExist(manager, Agency, { id: input.agencyId }, 'agencyId', 'agency');
    const current = await manager.find(PanelMember, { where: { reviewId, agencyId: agency.id, leftOn: IsNull() } });
    const twin = current.find((m) => m.name.toLocaleLowerCase('en-GB') === input.name.toLocaleLowerCase('en-GB'));
    if (twin) throw new StateConflictError(`${twin.name} of ${agency.name} is already on the panel (joined ${twin.joinedOn})`);
    const member = await manager.save(
      manager.create(PanelMember, {
        reviewId,
        name: input.name,
        agencyId: agency.id,
        role: input.role,
        email: input.email ?? null,
        joinedOn: input.joinedOn,
        leftOn: null,
        noDirectCaseManagementDeclaredAt: now,
        createdBy: actor,
        memberId: await teamRecordFor(manager, { reviewId, role: 'panel_member', agencyId: agency.id, name: input.name, email: input.email ?? null, actor, now }),
      }),
    );
    await record('PANEL_MEMBER_ADDED', {
      panelMemberId: member.id,
      name: member.name,
      agency: agency.name,
      role: member.role,
      joinedOn: member.joinedOn,
    });
    return this.view(member);
  }

  leave(reviewId: string, memberId: string, input: Input<typeof leavePanelSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, now, record }) => {
      const member = await findInReview(manager, PanelMember, reviewId, memberId, 'panel member', { lock: true });
      checkIfMatch(ifMatch, member.version);
      if (member.leftOn) throw new StateConflictError(`${member.name} already left the panel on ${member.leftOn}`);
      await endTeamRecord(manager, member.memberId, actor, now);
      assertInOrder({ kind: 'panelMemberJoined', date: member.joinedOn, subject: memberId }, { kind: 'panelMemberLeft', date: input.leftOn, subject: memberId });
      member.leftOn = input.leftOn;
      const saved = await manager.save(member);
      await record('PANEL_MEMBER_LEFT', { panelMemberId: memberId, name: saved.name, leftOn: saved.leftOn });
      return this.view(saved);
    });
  }

  private view(m: PanelMember) {
    return {
      id: m.id,
      reviewId: m.reviewId,
      name: m.name,
      agencyId: m.agencyId,
      role: m.role,
      email: m.email,
      joinedOn: m.joinedOn,
      leftOn: m.leftOn,
      noDirectCaseManagementDeclaredAt: m.noDirectCaseManagementDeclaredAt,
      state: m.leftOn ? 'left' : 'active',
      version: m.version,
      createdBy: m.createdBy,
      createdAt: m.createdAt,
      /** The team record (GET /reviews/:id/members) of this person. */
      memberId: m.memberId,
    };
  }
}
