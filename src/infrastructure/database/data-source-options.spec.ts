import { dataSourceOptions } from './data-source-options';
import { PreparingClient } from './preparing-client';

type PgOptions = { url?: string; extra?: Record<string, unknown>; synchronize?: boolean };

describe('dataSourceOptions', () => {
  const url = 'postgres://owner:secret@db.example:5432/dhr';

  it('without a role (migrations) connects as the login role, with JIT compilation off', () => {
    const options = dataSourceOptions(url, 2) as PgOptions;
    expect(options.url).toBe(url);
    expect(options.extra).toEqual({ max: 2, connectionTimeoutMillis: 5000, options: '-c jit=off' });
  });

  it('with a role, every connection switches to it in its start-up options; the service’s connections prepare their statements', () => {
    const options = dataSourceOptions(url, 10, 'dhr_app', { prepare: true }) as PgOptions;
    expect(options.url).toBe(url);
    expect(options.extra).toEqual({ max: 10, connectionTimeoutMillis: 5000, Client: PreparingClient, options: '-c jit=off -c role=dhr_app' });
  });

  it('keeps options given in the URL (which pg would let override ours) alongside the role', () => {
    const options = dataSourceOptions(`${url}?sslmode=require&options=-c%20statement_timeout%3D5000`, 10, 'dhr_app') as PgOptions;
    expect(options.url).toBe(`${url}?sslmode=require`);
    expect(options.extra?.options).toBe('-c statement_timeout=5000 -c jit=off -c role=dhr_app');
  });

  it('never lets TypeORM change the schema (synchronize off): only the migrations do', () => {
    for (const options of [dataSourceOptions(url, 2), dataSourceOptions(url, 10, 'dhr_app', { prepare: true })] as PgOptions[]) {
      expect(options.synchronize).toBe(false);
    }
  });

  it('refuses a role that is not a plain identifier', () => {
    expect(() => dataSourceOptions(url, 10, 'dhr_app -c x=y')).toThrow(/not a role name/);
  });
});
