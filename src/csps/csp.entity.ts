import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A Community Safety Partnership: the statutory partnership that owns a review. One
 * installation serves many (a county team runs reviews for its districts).
 */
@Entity({ name: 'csps' })
export class Csp {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Short stable code used in review references, e.g. MALDON. */
  @Column({ type: 'varchar', length: 32, unique: true })
  code!: string;

  @Column({ type: 'varchar', length: 200 })
  name!: string;

  /** The local name of the CSP's sign-off board (RAG, CSP board, strategic group). */
  @Column({ name: 'board_name', type: 'varchar', length: 200, default: 'Responsible Authorities Group' })
  boardName!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
