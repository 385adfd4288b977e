import { Column, CreateDateColumn, VersionColumn } from 'typeorm';

/**
 * The audit columns shared by the versioned case-file records: who created the row, when, and
 * the optimistic-lock version. Abstract: TypeORM maps these columns onto each entity extending it.
 */
export abstract class AuditedRecord {
  @Column({ name: 'created_by', type: 'varchar', length: 200 })
  createdBy!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @VersionColumn({ default: 1 })
  version!: number;
}
