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
