import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Review } from '../../reviews/review.entity';
import { AuditedRecord } from './audited-record';
import { oneOf } from './check-sql';

export const PERSON_ROLES = ['victim', 'perpetrator', 'child', 'family', 'friend', 'other'] as const;
export type PersonRole = (typeof PERSON_ROLES)[number];

/** Where a perpetrator stands in the criminal process (required for perpetrators, and only them). */
export const LEGAL_STATUSES = ['suspected', 'charged', 'convicted', 'acquitted', 'deceased'] as const;
export type LegalStatus = (typeof LEGAL_STATUSES)[number];

/**
 * A person in the case: the victim, the perpetrator(s), children, family and friends.
 * The real name is stored, but every person also has a pseudonym (unique within the review)
 * and the pseudonym is what lists, emails and exports show by default.
 * `UQ_people_review_id` lets other records point at a person with a composite foreign key
 * (review_id, person_id), so a link to another review's person is refused by the database.
 */
@Entity({ name: 'people' })
@Unique('UQ_people_review_id', ['reviewId', 'id'])
@Unique('UQ_people_pseudonym', ['reviewId', 'pseudonym'])
@Check('CHK_people_role', oneOf('role', PERSON_ROLES))
@Check('CHK_people_legal_status', oneOf('legal_status', LEGAL_STATUSES))
@Check('CHK_people_legal_status_perpetrator', `("role" = 'perpetrator') = ("legal_status" IS NOT NULL)`)
@Check('CHK_people_age', `"age" IS NULL OR ("age" >= 0 AND "age" <= 130)`)
export class Person extends AuditedRecord {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_people' })
  id!: string;

  @Column({ name: 'review_id', type: 'uuid' })
  reviewId!: string;

  @ManyToOne(() => Review, { nullable: false })
  @JoinColumn({ name: 'review_id', foreignKeyConstraintName: 'FK_people_review' })
  review?: Review;

  @Column({ type: 'varchar', length: 20 })
  role!: PersonRole;

  /** Confidential: never in lists, emails, exports or history by default. */
  @Column({ name: 'real_name', type: 'varchar', length: 200 })
  realName!: string;

  @Column({ type: 'varchar', length: 100 })
  pseudonym!: string;

  @Column({ name: 'relationship_to_victim', type: 'text', nullable: true })
  relationshipToVictim!: string | null;

  /** For the victim, the age at death; for anyone else, their age at the time of the death. */
  @Column({ type: 'integer', nullable: true })
  age!: number | null;

  @Column({ name: 'legal_status', type: 'varchar', length: 20, nullable: true })
  legalStatus!: LegalStatus | null;

  @Column({ type: 'text', nullable: true })
  notes!: string | null;
}
