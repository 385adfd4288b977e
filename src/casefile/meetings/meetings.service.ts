import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import type { z } from 'zod';
import { FieldProblem, RequestValidationError, StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, checkIfMatch, findInReview } from '../casefile-transactions';
import { Agency, Imr, MeetingAttendee, PanelMeeting, PanelMeetingImr } from '../entities';
import type { cancelMeetingSchema, holdMeetingSchema, scheduleMeetingSchema, updateMeetingSchema } from './meetings.schemas';
import { queueMeetingInvitation } from '../../deadlines/outbox';
import { londonDateOf } from '../../deadlines/rules';

type Input<F extends (...args: never[]) => z.ZodTypeAny> = z.output<ReturnType<F>>;

/**
 * Panel meetings: scheduled, rescheduled or updated while still to be held, then held (with
 * attendance, minutes, decisions and the IMRs considered) or cancelled with a reason. Never
 * deleted. Scheduling, rescheduling, holding and cancelling go into the review's history (the
 * lifecycle counts held meetings that considered IMRs; reminders hook on the others).
 */
@Injectable()
export class MeetingsService {
  constructor(private readonly tx: CaseFileTransactions) {}

  today = () => this.tx.today();

  list(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const meetings = await manager.find(PanelMeeting, { where: { reviewId }, order: { startsAt: 'ASC', createdAt: 'ASC' } });
      const links = await manager.find(PanelMeetingImr, { where: { reviewId }, order: { createdAt: 'ASC', imrId: 'ASC' } });
      return meetings.map((m) => this.view(m, links.filter((l) => l.meetingId === m.id)));
    });
  }

  get(reviewId: string, meetingId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const meeting = await findInReview(manager, PanelMeeting, reviewId, meetingId, 'panel meeting');
      return this.view(meeting, await this.links(manager, reviewId, meetingId));
    });
  }

  schedule(reviewId: string, input: Input<typeof scheduleMeetingSchema>, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record, now }) => {
      const meeting = await manager.save(
        manager.create(PanelMeeting, {
          reviewId,
          startsAt: new Date(input.startsAt),
          location: input.location ?? null,
          onlineLink: input.onlineLink ?? null,
          agenda: input.agenda ?? null,
          papersCirculatedOn: input.papersCirculatedOn ?? null,
          status: 'scheduled',
          attendance: [],
          createdBy: actor,
          // The service's clock, not the database's: the papers' and the meeting's clocks start here.
          createdAt: now,
        }),
      );
      // A meeting recorded after it took place invites no one (the worker would skip it too).
      if (meeting.startsAt.getTime() > now.getTime()) {
        await queueMeetingInvitation(manager, { meetingId: meeting.id, sequence: meeting.version - 1, method: 'REQUEST' });
      }
      await record('PANEL_MEETING_SCHEDULED', {
        meetingId: meeting.id,
        startsAt: meeting.startsAt.toISOString(),
        inPerson: meeting.location !== null,
        online: meeting.onlineLink !== null,
      });
      return this.view(meeting, []);
    });
  }

  update(reviewId: string, meetingId: string, input: Input<typeof updateMeetingSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record, now }) => {
      const meeting = await this.lockScheduled(manager, reviewId, meetingId, ifMatch, 'changed');
      const previous = { startsAt: meeting.startsAt, location: meeting.location, onlineLink: meeting.onlineLink, papersCirculatedOn: meeting.papersCirculatedOn };
      if (input.startsAt !== undefined) meeting.startsAt = new Date(input.startsAt);
      if (input.location !== undefined) meeting.location = input.location;
      if (input.onlineLink !== undefined) meeting.onlineLink = input.onlineLink;
      if (input.agenda !== undefined) meeting.agenda = input.agenda;
      if (input.papersCirculatedOn !== undefined) meeting.papersCirculatedOn = input.papersCirculatedOn;
      if (meeting.location === null && meeting.onlineLink === null) {
        throw new RequestValidationError([{ field: 'location', message: 'a meeting needs a location or an onlineLink' }]);
      }
      if (input.attendance !== undefined) meeting.attendance = await this.checkAttendance(manager, input.attendance, meeting, now);
      const linksChanged = input.imrIds !== undefined && (await this.setImrs(manager, meeting, input.imrIds, actor));

      const saved = await this.save(manager, meeting, linksChanged);
      const moved = saved.startsAt.getTime() !== previous.startsAt.getTime();
      const placeChanged = saved.location !== previous.location || saved.onlineLink !== previous.onlineLink;
      if (moved || placeChanged) {
        // Moved to a time already past (correcting when it took place): no update to send.
        if (saved.startsAt.getTime() > now.getTime()) {
          await queueMeetingInvitation(manager, { meetingId, sequence: saved.version - 1, method: 'REQUEST' });
        }
        await record('PANEL_MEETING_RESCHEDULED', {
          meetingId,
          previousStartsAt: previous.startsAt.toISOString(),
          startsAt: saved.startsAt.toISOString(),
          placeChanged,
        });
      }
      // The papers recorded as circulated (or that date corrected or withdrawn): on its date, who by.
      if (saved.papersCirculatedOn !== previous.papersCirculatedOn) {
        await record('PANEL_MEETING_PAPERS_CIRCULATED', {
          meetingId,
          startsAt: saved.startsAt.toISOString(),
          papersCirculatedOn: saved.papersCirculatedOn,
          previousPapersCirculatedOn: previous.papersCirculatedOn,
          ...(saved.papersCirculatedOn ? { on: saved.papersCirculatedOn } : {}),
        });
      }
      return this.view(saved, await this.links(manager, reviewId, meetingId));
    });
  }

  hold(reviewId: string, meetingId: string, input: z.output<typeof holdMeetingSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record, now }) => {
      const meeting = await this.lockScheduled(manager, reviewId, meetingId, ifMatch, 'marked as held');
      if (meeting.startsAt.getTime() > now.getTime()) {
        throw new RequestValidationError([
          { field: 'startsAt', message: `the meeting starts at ${meeting.startsAt.toISOString()}: it cannot be recorded as held before it starts (reschedule it if it took place earlier)` },
        ]);
      }
      if (input.attendance !== undefined) meeting.attendance = await this.checkAttendance(manager, input.attendance, meeting, now);
      const linksChanged = input.imrIds !== undefined && (await this.setImrs(manager, meeting, input.imrIds, actor));
      meeting.status = 'held';
      if (input.minutes !== undefined) meeting.minutes = input.minutes;
      if (input.decisions !== undefined) meeting.decisions = input.decisions;
      const saved = await this.save(manager, meeting, linksChanged);
      const links = await this.links(manager, reviewId, meetingId);
      await record('PANEL_MEETING_HELD', {
        meetingId,
        startsAt: saved.startsAt.toISOString(),
        imrCount: links.length,
        imrIds: links.map((l) => l.imrId),
        // The history dates the entry on the day the meeting took place, not the day it was entered.
        on: londonDateOf(saved.startsAt),
      });
      return this.view(saved, links);
    });
  }

  cancel(reviewId: string, meetingId: string, input: z.output<typeof cancelMeetingSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const meeting = await this.lockScheduled(manager, reviewId, meetingId, ifMatch, 'cancelled');
      meeting.status = 'cancelled';
      meeting.cancellationReason = input.reason;
      const saved = await manager.save(meeting);
      await queueMeetingInvitation(manager, { meetingId, sequence: saved.version - 1, method: 'CANCEL' });
      await record('PANEL_MEETING_CANCELLED', { meetingId, startsAt: saved.startsAt.toISOString(), reason: input.reason });
      return this.view(saved, await this.links(manager, reviewId, meetingId));
    });
  }

  /** The meeting, locked, at the version the client read, and still scheduled (else 409). */
  private async lockScheduled(manager: EntityManager, reviewId: string, meetingId: string, ifMatch: string | undefined, what: string) {
    const meeting = await findInReview(manager, PanelMeeting, reviewId, meetingId, 'panel meeting', { lock: true });
    checkIfMatch(ifMatch, meeting.version);
    if (meeting.status === 'held') throw new StateConflictError(`The meeting cannot be ${what}: it has been held`);
    if (meeting.status === 'cancelled') {
      throw new StateConflictError(`The meeting cannot be ${what}: it was cancelled (${meeting.cancellationReason ?? 'no reason recorded'})`, [
        'Schedule a new meeting instead',
      ]);
    }
    return meeting;
  }

  /** Attendance with known agencies; nobody can have attended a meeting that has not started. */
  private async checkAttendance(
    manager: EntityManager,
    attendance: MeetingAttendee[],
    meeting: PanelMeeting,
    now: Date,
  ): Promise<MeetingAttendee[]> {
    const problems: FieldProblem[] = [];
    const agencyIds = [...new Set(attendance.flatMap((a) => (a.agencyId ? [a.agencyId] : [])))];
    const known = agencyIds.length ? new Set((await manager.find(Agency, { where: { id: In(agencyIds) } })).map((a) => a.id)) : new Set();
    attendance.forEach((a, i) => {
      if (a.agencyId && !known.has(a.agencyId)) problems.push({ field: `attendance.${i}.agencyId`, message: 'no agency has this id' });
      if (a.status === 'attended' && meeting.startsAt.getTime() > now.getTime()) {
        problems.push({ field: `attendance.${i}.status`, message: 'nobody can have attended a meeting that has not started yet' });
      }
    });
    if (problems.length) throw new RequestValidationError(problems);
    return attendance.map((a) => ({ name: a.name, ...(a.agencyId ? { agencyId: a.agencyId } : {}), status: a.status }));
  }

  /**
   * Sets the IMRs the meeting considers. Each must be an IMR of this review: an id from another
   * review is "not found" here (and the composite foreign key refuses it in the database too).
   * Returns whether the set changed.
   */
  private async setImrs(manager: EntityManager, meeting: PanelMeeting, imrIds: string[], actor: string): Promise<boolean> {
    const found = imrIds.length
      ? new Set((await manager.find(Imr, { where: { reviewId: meeting.reviewId, id: In(imrIds) } })).map((i) => i.id))
      : new Set<string>();
    const problems = imrIds.flatMap((id, i) => (found.has(id) ? [] : [{ field: `imrIds.${i}`, message: 'no IMR of this review has this id' }]));
    if (problems.length) throw new RequestValidationError(problems);

    const current = await this.links(manager, meeting.reviewId, meeting.id);
    const wanted = new Set(imrIds);
    const removed = current.filter((l) => !wanted.has(l.imrId));
    const added = imrIds.filter((id) => !current.some((l) => l.imrId === id));
    if (removed.length) await manager.delete(PanelMeetingImr, { meetingId: meeting.id, imrId: In(removed.map((l) => l.imrId)) });
    for (const imrId of added) {
      await manager.insert(PanelMeetingImr, { meetingId: meeting.id, imrId, reviewId: meeting.reviewId, createdBy: actor });
    }
    return removed.length > 0 || added.length > 0;
  }

  /** Saves the meeting; its version goes up even when only the IMRs considered changed. */
  private async save(manager: EntityManager, meeting: PanelMeeting, linksChanged: boolean): Promise<PanelMeeting> {
    const before = meeting.version;
    const saved = await manager.save(meeting);
    if (linksChanged && saved.version === before) {
      await manager.increment(PanelMeeting, { id: meeting.id }, 'version', 1);
      saved.version = before + 1;
    }
    return saved;
  }

  private links(manager: EntityManager, reviewId: string, meetingId: string) {
    return manager.find(PanelMeetingImr, { where: { reviewId, meetingId }, order: { createdAt: 'ASC', imrId: 'ASC' } });
  }

  private view(meeting: PanelMeeting, links: PanelMeetingImr[]) {
    return {
      id: meeting.id,
      reviewId: meeting.reviewId,
      startsAt: meeting.startsAt.toISOString(),
      location: meeting.location,
      onlineLink: meeting.onlineLink,
      agenda: meeting.agenda,
      status: meeting.status,
      papersCirculatedOn: meeting.papersCirculatedOn,
      attendance: meeting.attendance,
      minutes: meeting.minutes,
      decisions: meeting.decisions,
      imrIds: links.map((l) => l.imrId),
      cancellationReason: meeting.cancellationReason,
      version: meeting.version,
      createdBy: meeting.createdBy,
      createdAt: meeting.createdAt,
    };
  }
}
