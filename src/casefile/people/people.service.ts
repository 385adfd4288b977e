import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { z } from 'zod';
import { RequestValidationError, StateConflictError } from '../../infrastructure/http/errors';
import { CaseFileTransactions, checkIfMatch, findInReview } from '../casefile-transactions';
import { Person } from '../entities';
import type { addPersonSchema, correctPersonSchema } from './people.schemas';

type AddPerson = z.output<typeof addPersonSchema>;
type CorrectPerson = z.output<typeof correctPersonSchema>;

/** What a read shows: the pseudonym always, the real name only when asked for. */
export interface PeopleReadOptions {
  realNames: boolean;
}

const CORRECTABLE = ['role', 'realName', 'pseudonym', 'relationshipToVictim', 'age', 'legalStatus', 'notes'] as const;

const same = (a: string, b: string) => a.trim().toLocaleLowerCase('en-GB') === b.trim().toLocaleLowerCase('en-GB');

/**
 * People in the case: the victim, perpetrators (with their legal status), children, family and
 * friends. Real names are stored but kept out of lists, single reads and the history unless a
 * read asks for them (`?include=realNames`); write responses show the pseudonym only.
 * Pseudonyms are unique within the review and are never one of the review's real names.
 */
@Injectable()
export class PeopleService {
  constructor(private readonly tx: CaseFileTransactions) {}

  list(reviewId: string, options: PeopleReadOptions) {
    return this.tx.read(reviewId, async (manager) => {
      const people = await manager.find(Person, { where: { reviewId }, order: { createdAt: 'ASC', id: 'ASC' } });
      return people.map((p) => this.view(p, options));
    });
  }

  get(reviewId: string, personId: string, options: PeopleReadOptions) {
    return this.tx.read(reviewId, async (manager) => this.view(await findInReview(manager, Person, reviewId, personId, 'person'), options));
  }

  add(reviewId: string, input: AddPerson, actor: string) {
    return this.tx.write(reviewId, actor, async ({ manager }) => {
      await this.assertPseudonymUsable(manager, reviewId, input.pseudonym, input.realName);
      const person = await manager.save(
        manager.create(Person, {
          reviewId,
          role: input.role,
          realName: input.realName,
          pseudonym: input.pseudonym,
          relationshipToVictim: input.relationshipToVictim ?? null,
          age: input.age ?? null,
          legalStatus: input.legalStatus ?? null,
          notes: input.notes ?? null,
          createdBy: actor,
        }),
      );
      return this.view(person, { realNames: false });
    });
  }

  /**
   * A correction of a person's record (If-Match: its version). The history says who corrected
   * which fields, never the values: a real name must not reach the history.
   */
  correct(reviewId: string, personId: string, input: CorrectPerson, actor: string, ifMatch?: string) {
    return this.tx.write(reviewId, actor, async ({ manager, record }) => {
      const person = await findInReview(manager, Person, reviewId, personId, 'person', { lock: true });
      checkIfMatch(ifMatch, person.version);
      const changed = CORRECTABLE.filter((field) => input[field] !== undefined && input[field] !== person[field]);
      if (changed.length === 0) return this.view(person, { realNames: false });

      const next = { ...person, ...Object.fromEntries(changed.map((f) => [f, input[f]])) } as Person;
      if (next.role === 'perpetrator' && !next.legalStatus) {
        throw new RequestValidationError([{ field: 'legalStatus', message: 'is required for a perpetrator' }]);
      }
      if (next.role !== 'perpetrator' && next.legalStatus) {
        throw new RequestValidationError([
          { field: 'legalStatus', message: 'is only recorded for a perpetrator (send legalStatus: null when correcting the role)' },
        ]);
      }
      if (changed.includes('pseudonym') || changed.includes('realName')) {
        await this.assertPseudonymUsable(manager, reviewId, next.pseudonym, next.realName, person.id);
      }
      const previousPseudonym = person.pseudonym;
      Object.assign(person, Object.fromEntries(changed.map((f) => [f, next[f]])));
      const saved = await manager.save(person);
      await record('PERSON_CORRECTED', {
        personId,
        pseudonym: saved.pseudonym,
        ...(changed.includes('pseudonym') ? { previousPseudonym } : {}),
        changed,
      });
      return this.view(saved, { realNames: false });
    });
  }

  /** Unique within the review (409), and never a real name of someone in it (400). */
  private async assertPseudonymUsable(manager: EntityManager, reviewId: string, pseudonym: string, realName: string, exceptId?: string) {
    const people = await manager.find(Person, { where: { reviewId } });
    const others = people.filter((p) => p.id !== exceptId);
    if (same(pseudonym, realName) || others.some((p) => same(p.realName, pseudonym))) {
      throw new RequestValidationError([{ field: 'pseudonym', message: 'must not be the real name of a person in this review' }]);
    }
    if (others.some((p) => same(p.pseudonym, pseudonym))) {
      throw new StateConflictError(`pseudonym: another person in this review is already called ${pseudonym}`, [
        'Choose a different pseudonym',
      ]);
    }
  }

  private view(person: Person, options: PeopleReadOptions) {
    return {
      id: person.id,
      reviewId: person.reviewId,
      role: person.role,
      pseudonym: person.pseudonym,
      ...(options.realNames ? { realName: person.realName } : {}),
      relationshipToVictim: person.relationshipToVictim,
      age: person.age,
      legalStatus: person.legalStatus,
      notes: person.notes,
      version: person.version,
      createdBy: person.createdBy,
      createdAt: person.createdAt,
    };
  }
}
