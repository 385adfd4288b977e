import { readdirSync } from 'node:fs';
import { z } from 'zod';
import { defaultConfigPath, displayPath, readJsonFile } from '../../deadlines/rules/rules-file';

const entry = z.object({ code: z.string().regex(/^[a-z][a-z0-9_]{1,59}$/, 'must be lower case letters, digits and _'), label: z.string().min(1).max(200) }).strict();
const list = z.array(entry).min(1);

/** config/taxonomy/v<N>.json: the codes a review and its recommendations are coded with. */
const taxonomySchema = z
  .object({
    version: z.string().regex(/^\d{1,4}$/, 'must be a whole number as text, such as "1"'),
    title: z.string(),
    alignedWith: z.string(),
    notes: z.string().optional(),
    relationshipCategories: list,
    vulnerabilities: list,
    themes: list,
    familyInvolvement: list,
    addresseeKinds: list,
    recommendationThemes: list,
    /** Codes of earlier versions no longer offered: kept readable on reviews coded with them. */
    retired: z.array(z.string()),
  })
  .strict();

export type Taxonomy = z.output<typeof taxonomySchema>;
export type TaxonomyEntry = z.output<typeof entry>;
/** The lists a review is coded with (recommendation themes and addressee kinds go on each recommendation). */
export const CODING_LISTS = ['relationshipCategories', 'vulnerabilities', 'themes', 'familyInvolvement'] as const;

/** Reads and checks one version's file (errors name the file and the field). */
export function loadTaxonomyFile(path: string): Taxonomy {
  const result = taxonomySchema.safeParse(readJsonFile(path));
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new Error(`${displayPath(path)}: ${problems.join('; ')}`);
  }
  for (const key of [...CODING_LISTS, 'addresseeKinds', 'recommendationThemes'] as const) {
    const codes = result.data[key].map((e) => e.code);
    const twice = codes.filter((c, i) => codes.indexOf(c) !== i);
    if (twice.length > 0) throw new Error(`${displayPath(path)}: ${key}: the code ${twice[0]} is listed twice`);
  }
  return result.data;
}

let cached: Map<string, Taxonomy> | null = null;

/** Every version in config/taxonomy/ (v1.json, v2.json…), by version. */
export function taxonomyVersions(directory = defaultConfigPath('taxonomy')): Map<string, Taxonomy> {
  if (cached && directory === defaultConfigPath('taxonomy')) return cached;
  const versions = new Map<string, Taxonomy>();
  for (const name of readdirSync(directory).filter((n) => /^v\d+\.json$/.test(n))) {
    const taxonomy = loadTaxonomyFile(`${directory}/${name}`);
    if (`v${taxonomy.version}.json` !== name) throw new Error(`config/taxonomy/${name}: its version is "${taxonomy.version}"; the file must be v${taxonomy.version}.json`);
    versions.set(taxonomy.version, taxonomy);
  }
  if (versions.size === 0) throw new Error(`${displayPath(directory)}: no taxonomy (v1.json…)`);
  if (directory === defaultConfigPath('taxonomy')) cached = versions;
  return versions;
}

/** The newest version: what new coding uses. */
export function currentTaxonomy(): Taxonomy {
  const versions = [...taxonomyVersions().values()];
  return versions.reduce((a, b) => (Number(b.version) > Number(a.version) ? b : a));
}

/** A code's label in a list of the taxonomy (the code itself when a later version no longer has it). */
export function labelOf(taxonomy: Taxonomy, list: keyof Pick<Taxonomy, (typeof CODING_LISTS)[number] | 'addresseeKinds' | 'recommendationThemes'>, code: string): string {
  return taxonomy[list].find((e) => e.code === code)?.label ?? code;
}
