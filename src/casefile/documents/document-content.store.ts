import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { APP_CONFIG } from '../../infrastructure/config/config.module';
import type { DocumentStorage } from '../entities';

/** The columns of a document_versions row that say where its content is. */
export interface ContentLocation {
  storage: DocumentStorage;
  content: Buffer | null;
  storagePath: string | null;
}

/**
 * Where document content lives: in its PostgreSQL row (`database`), or as a file under
 * DOCUMENTS_DIR (`folder`), content-addressed per review: `<reviewId>/<aa>/<sha256>`. A file
 * is written to a temporary name, flushed, then renamed into place, so a reader never sees half
 * a file. Files are placed while the review lock is held, so two uploads to one review never
 * race for a path; a path outside the review's folder is never read.
 */
@Injectable()
export class DocumentContentStore {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  private get root(): string {
    return resolve(this.config.documents.dir);
  }

  /** Where content with this checksum goes, by the configuration (nothing is written yet). */
  locate(reviewId: string, sha256: string, content: Buffer): ContentLocation {
    if (this.config.documents.storage === 'database') return { storage: 'database', content, storagePath: null };
    return { storage: 'folder', content: null, storagePath: join(reviewId, sha256.slice(0, 2), sha256) };
  }

  /**
   * Writes the content to its location (nothing to do for the database, whose row holds it).
   * Returns how to undo that if the transaction recording it fails: a file it created is
   * removed again, a file that was there already (same review, same bytes) is left.
   */
  async write(location: ContentLocation, content: Buffer): Promise<() => Promise<void>> {
    if (location.storage === 'database' || !location.storagePath) return async () => undefined;
    const target = this.inRoot(location.storagePath);
    if (await exists(target)) return async () => undefined;
    await mkdir(dirname(target), { recursive: true });
    const temporary = `${target}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temporary, 'wx', 0o600);
      try {
        await handle.writeFile(content);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporary, target);
    } catch (error) {
      await unlink(temporary).catch(() => undefined);
      throw error;
    }
    return () => unlink(target).catch(() => undefined);
  }

  /** The content of a version: from its row, or from its file under DOCUMENTS_DIR. */
  async read(version: { storage: DocumentStorage; content?: Buffer | null; storagePath: string | null }): Promise<Buffer> {
    if (version.storage === 'database') {
      if (!version.content) throw new Error('document version stored in the database has no content');
      return version.content;
    }
    if (!version.storagePath) throw new Error('document version stored in the folder has no path');
    return readFile(this.inRoot(version.storagePath));
  }

  private inRoot(storagePath: string): string {
    const full = resolve(this.root, storagePath);
    const inside = relative(this.root, full);
    if (!inside || inside.startsWith('..') || isAbsolute(inside)) throw new Error(`document path escapes DOCUMENTS_DIR: ${storagePath}`);
    return full;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path, constants.F_OK);
    return true;
  } catch {
    return false;
  }
}
