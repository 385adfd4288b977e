import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AppConfig } from '../../infrastructure/config/app-config';
import { DocumentContentStore } from './document-content.store';

const REVIEW = '3f6c1f2e-9a1b-4c55-8f0e-0d3c2b1a0f99';
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const store = (storage: 'database' | 'folder', dir: string) =>
  new DocumentContentStore({ documents: { storage, dir, maxBytes: 1024 } } as AppConfig);

describe('DocumentContentStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'dhr-store-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('database: the content goes in the row, nothing on disk', async () => {
    const content = Buffer.from('%PDF-1.4');
    const location = store('database', dir).locate(REVIEW, sha(content), content);
    expect(location).toEqual({ storage: 'database', content, storagePath: null });
    await store('database', dir).write(location, content);
    expect(readdirSync(dir)).toEqual([]);
    expect(await store('database', dir).read(location)).toBe(content);
  });

  it('folder: a content-addressed file under the review, written whole, read back; undo removes it', async () => {
    const s = store('folder', dir);
    const content = Buffer.from('%PDF-1.4 folder');
    const location = s.locate(REVIEW, sha(content), content);
    expect(location).toEqual({ storage: 'folder', content: null, storagePath: join(REVIEW, sha(content).slice(0, 2), sha(content)) });
    const undo = await s.write(location, content);
    expect(readdirSync(join(dir, REVIEW, sha(content).slice(0, 2)))).toEqual([sha(content)]); // no temporary file left
    expect(readFileSync(join(dir, location.storagePath!))).toEqual(content);
    expect(await s.read(location)).toEqual(content);
    await undo();
    expect(existsSync(join(dir, location.storagePath!))).toBe(false);
  });

  it('folder: the same bytes again reuse the file, and undoing that second write keeps it', async () => {
    const s = store('folder', dir);
    const content = Buffer.from('same bytes');
    const location = s.locate(REVIEW, sha(content), content);
    await s.write(location, content);
    const undoSecond = await s.write(location, content);
    await undoSecond();
    expect(readFileSync(join(dir, location.storagePath!))).toEqual(content);
  });

  it('never reads outside DOCUMENTS_DIR', async () => {
    await expect(store('folder', dir).read({ storage: 'folder', storagePath: '../../etc/passwd' })).rejects.toThrow(/escapes DOCUMENTS_DIR/);
  });
});
