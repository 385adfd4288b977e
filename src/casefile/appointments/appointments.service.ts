import { endTeamRecord, teamRecordFor } from '../../access/team-records';
import { assertInOrder } from '../../reviews/chronology';
import { Injectable } from '@nestjs/common';
import { IsNull } from 'typeorm';
import type { z } from 'zod';
import { RequestValidationError, StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, CaseFileWrite, checkIfMatch, findInReview } from '../casefile-transactions';
import { Appointment } from '../entities';
import type { appointSchema, declareIndependenceSchema, endAppointmentSchema } from './appointments.schemas';

type Input<F extends (...args: never[]) => z.ZodTypeAny> = z.output<ReturnType<F>>;

/**
 * The independent chair and any report writer. A review has at most one open chair
 * appointment (a replacement comes after the previous one ended). The facts read
 * `chairAppointed` from any open chair appointment; whether the chair has declared
 * independence is shown on the appointment (`independenceDeclared`), not a guard.
 */
@Injectable()
export class AppointmentsService {
  constructor(private readonly tx: CaseFileTransactions) {}

  today = () => this.tx.today();

  list(reviewId: string) {
    return this.tx.read(reviewId, async (manager) => {
      const all = await manager.find(Appointment, { where: { reviewId }, order: { appointedOn: 'ASC', createdAt: 'ASC' } });
      return all.map((a) => this.view(a));
    });
  }

  get(reviewId: string, appointmentId: string) {
    return this.tx.read(reviewId, async (manager) => this.view(await findInReview(manager, Appointment, reviewId, appointmentId, 'appointment')));
  }

  appoint(reviewId: string, input: Input<typeof appointSchema>, actor: string) {
    return this.tx.write(reviewId, actor, (w) => this.appointWithin(w, reviewId, input, actor));
  }

  /** An appointment in the caller's review transaction (the team's one "add" form records the membership with it). */
  async appointWithin({ manager, now, record }: CaseFileWrite, reviewId: string, input: Input<typeof appointSchema>, actor: string) {
    if (input.role === 'chair') {
      const open = await manager.findOne(Appointment, { where: { reviewId, role: 'chair', endedOn: IsNull() } });
      if (open) {
        throw new StateConflictError(`The review already has a chair: ${open.name}, appointed on ${open.appointedOn}`, [
          'End the current chair appointment before appointing another',
        ]);
      }
    }
    const appointment = await manager.save(
      manager.create(Appointment, {
        reviewId,
        role: input.role,
        name: input.name,
        organisation: input.organisation,
        email: input.email ?? null,
        appointedOn: input.appointedOn,
        independenceStatement: input.independenceStatement ?? null,
        independenceDeclaredAt: input.independenceStatement ? now : null,
        endedOn: null,
        createdBy: actor,
        memberId: await teamRecordFor(manager, { reviewId, role: input.role, agencyId: null, name: input.name, email: input.email ?? null, actor, now }),
      }),
    );
    await record(input.role === 'chair' ? 'CHAIR_APPOINTED' : 'REPORT_WRITER_APPOINTED', {
      appointmentId: appointment.id,
      name: appointment.name,
      organisation: appointment.organisation,
      appointedOn: appointment.appointedOn,
      independenceDeclared: appointment.independenceDeclaredAt !== null,
    });
    return this.view(appointment);
  }

  /** The appointee's declaration of independence from every agency involved (once, while open). */
  declareIndependence(
    reviewId: string,
    appointmentId: string,
    input: z.output<typeof declareIndependenceSchema>,
    actor: string,
    ifMatch?: string,
  ) {
    return this.tx.write(reviewId, actor, async ({ manager, now, record }) => {
      const appointment = await findInReview(manager, Appointment, reviewId, appointmentId, 'appointment', { lock: true });
      checkIfMatch(ifMatch, appointment.version);
      const declaredAt = input.declaredAt ? new Date(input.declaredAt) : now;
      if (declaredAt.getTime() > now.getTime()) {
        throw new RequestValidationError([{ field: 'declaredAt', message: 'must not be in the future' }]);
      }
      if (appointment.endedOn) throw new StateConflictError(`The appointment ended on ${appointment.endedOn}`);
      if (appointment.independenceDeclaredAt) {
        throw new StateConflictError(`Independence was already declared at ${appointment.independenceDeclaredAt.toISOString()}`);
      }
      appointment.independenceStatement = input.statement;
      appointment.independenceDeclaredAt = declaredAt;
      const saved = await manager.save(appointment);
      await record('INDEPENDENCE_DECLARED', { appointmentId, role: saved.role, name: saved.name, declaredAt: declaredAt.toISOString() });
      return this.view(saved);
    });
  }

  end(reviewId: string, appointmentId: string, input: Input<typeof endAppointmentSchema>, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, now, record }) => {
      const appointment = await findInReview(manager, Appointment, reviewId, appointmentId, 'appointment', { lock: true });
      checkIfMatch(ifMatch, appointment.version);
      if (appointment.endedOn) throw new StateConflictError(`The appointment already ended on ${appointment.endedOn}`);
      await endTeamRecord(manager, appointment.memberId, actor, now);
      assertInOrder({ kind: 'appointment', date: appointment.appointedOn, subject: appointmentId }, { kind: 'appointmentEnded', date: input.endedOn, subject: appointmentId });
      appointment.endedOn = input.endedOn;
      const saved = await manager.save(appointment);
      await record('APPOINTMENT_ENDED', { appointmentId, role: saved.role, name: saved.name, endedOn: saved.endedOn });
      return this.view(saved);
    });
  }

  private view(a: Appointment) {
    return {
      id: a.id,
      reviewId: a.reviewId,
      role: a.role,
      name: a.name,
      organisation: a.organisation,
      email: a.email,
      appointedOn: a.appointedOn,
      independenceDeclared: a.independenceDeclaredAt !== null,
      independenceDeclaredAt: a.independenceDeclaredAt,
      independenceStatement: a.independenceStatement,
      endedOn: a.endedOn,
      state: a.endedOn ? 'ended' : 'active',
      version: a.version,
      createdBy: a.createdBy,
      createdAt: a.createdAt,
      /** The team record (GET /reviews/:id/members) of the person appointed. */
      memberId: a.memberId,
    };
  }
}
