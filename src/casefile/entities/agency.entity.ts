import { Check, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { oneOf } from './check-sql';

export const AGENCY_KINDS = ['police', 'health', 'local_authority', 'probation', 'specialist_da_service', 'other'] as const;
export type AgencyKind = (typeof AGENCY_KINDS)[number];

/**
 * An agency that may sit on panels and write IMRs (a police force, an NHS trust, a council...).
 * Shared by every review of the installation, not owned by one.
 */
@Entity({ name: 'agencies' })
@Unique('UQ_agencies_name', ['name'])
@Check('CHK_agencies_kind', oneOf('kind', AGENCY_KINDS))
export class Agency {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_agencies' })
  id!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  @Column({ type: 'varchar', length: 40 })
  kind!: AgencyKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
