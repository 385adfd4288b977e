import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentTaxonomy, loadTaxonomyFile, taxonomyVersions } from './taxonomy';

describe('config/taxonomy', () => {
  it('has version 1, with every list of the national DHR library', () => {
    const taxonomy = currentTaxonomy();
    expect(taxonomy.version).toBe('1');
    expect(taxonomy.recommendationThemes.map((t) => t.code)).toEqual([
      'technology_systems',
      'risk_identification',
      'training',
      'policy',
      'multi_agency_working',
      'record_keeping',
      'awareness_raising',
    ]);
    expect(taxonomy.familyInvolvement.map((t) => t.code)).toEqual(['contributed', 'consulted_on_terms_of_reference', 'had_advocate', 'received_draft', 'attended_panel']);
    expect(taxonomy.addresseeKinds.map((t) => t.code)).toEqual(['agency', 'partnership', 'government_department']);
    expect(taxonomy.relationshipCategories.length).toBeGreaterThan(3);
  });

  it('refuses a file whose version does not match its name, or that lists a code twice', () => {
    const dir = mkdtempSync(join(tmpdir(), 'taxonomy-'));
    const good = JSON.parse(JSON.stringify(currentTaxonomy()));
    writeFileSync(join(dir, 'v2.json'), JSON.stringify(good));
    expect(() => taxonomyVersions(dir)).toThrow('config/taxonomy/v2.json: its version is "1"; the file must be v1.json');
    const twice = { ...good, themes: [...good.themes, good.themes[0]] };
    writeFileSync(join(dir, 'twice.json'), JSON.stringify(twice));
    expect(() => loadTaxonomyFile(join(dir, 'twice.json'))).toThrow(`themes: the code ${good.themes[0].code} is listed twice`);
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ ...good, version: 'one' }));
    expect(() => loadTaxonomyFile(join(dir, 'bad.json'))).toThrow('version: must be a whole number as text');
  });
});
