import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS } from './app-config';
import { projectRoot } from './project-root';

describe('SETTINGS', () => {
  it('each environment variable is documented in the README configuration table', () => {
    const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
    const documented = [...readme.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(SETTINGS.map((s) => s.env).sort());
  });

  it('the README table gives each default that config/default.json holds, as it holds it', () => {
    const readme = readFileSync(join(projectRoot(), 'README.md'), 'utf8');
    const defaults = JSON.parse(readFileSync(join(projectRoot(), 'config', 'default.json'), 'utf8'));
    const documented = new Map([...readme.matchAll(/^\| `([A-Z_]+)` \| ([^|]*) \|/gm)].map((m) => [m[1], m[2].trim()]));
    const differing: string[] = [];
    let compared = 0;
    for (const setting of SETTINGS) {
      const value = setting.path.split('.').reduce((node, key) => node?.[key], defaults);
      // null: no fixed default (unset, or made from another setting, e.g. DATA_DIR/documents).
      if (value === null || value === undefined) continue;
      compared++;
      const cell = documented.get(setting.env) ?? '';
      const shown = cell === 'empty' ? '' : /^`([^`]*)`/.exec(cell)?.[1];
      const held = Array.isArray(value) ? value.join(',') : String(value);
      if (shown !== held) differing.push(`${setting.env}: README ${JSON.stringify(shown)}, config/default.json ${JSON.stringify(held)}`);
    }
    expect(differing).toEqual([]);
    expect(compared).toBeGreaterThan(30);
  });

  it('each setting has a default in config/default.json or may be unset', () => {
    const defaults = JSON.parse(readFileSync(join(projectRoot(), 'config', 'default.json'), 'utf8'));
    for (const setting of SETTINGS) {
      const value = setting.path.split('.').reduce((node, key) => node?.[key], defaults);
      expect({ env: setting.env, ok: value !== undefined && (value !== null || !!setting.nullable) }).toEqual({
        env: setting.env,
        ok: true,
      });
    }
  });
});
