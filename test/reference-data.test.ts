import request from 'supertest';
import { CaseFileSql } from './support/casefile-sql';
import { startTestApp, TestContext } from './support/test-app';

describe('CSPs and agencies (real PostgreSQL)', () => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await startTestApp();
  });
  afterAll(() => ctx.close());
  const http = () => request(ctx.api.getHttpServer());
  const count = async (table: string) =>
    (await new CaseFileSql(ctx.database.url).query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;

  it('creates and lists CSPs with their board name; a duplicate code is a 409', async () => {
    const created = await http()
      .post('/csps')
      .set('X-Actor', 'admin')
      .send({ code: 'TENDRING', name: 'Tendring Community Safety Partnership', boardName: 'CSP Board' })
      .expect(201);
    expect(created.body).toMatchObject({ code: 'TENDRING', boardName: 'CSP Board' });
    const defaulted = await http().post('/csps').set('X-Actor', 'admin').send({ code: 'ROCHFORD', name: 'Rochford CSP' }).expect(201);
    expect(defaulted.body.boardName).toBe('Responsible Authorities Group');
    const duplicate = await http().post('/csps').set('X-Actor', 'admin').send({ code: 'TENDRING', name: 'Again' });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.message).toMatch(/^code:/);
    const list = (await http().get('/csps').expect(200)).body;
    expect(list.map((c: { code: string }) => c.code)).toEqual(expect.arrayContaining(['TENDRING', 'ROCHFORD']));
  });

  it('creates agencies; a duplicate name is a 409 that names the existing one', async () => {
    const police = await http().post('/agencies').set('X-Actor', 'admin').send({ name: 'Kent Police', kind: 'police' }).expect(201);
    const again = await http().post('/agencies').set('X-Actor', 'admin').send({ name: 'Kent Police', kind: 'police' });
    expect(again.status).toBe(409);
    expect(again.body.id).toBe(police.body.id);
  });

  it.each([
    ['/csps', 'code', { code: 'lower', name: 'x' }],
    ['/csps', 'name', { code: 'OK', name: '' }],
    ['/csps', 'name', { code: 'OK', name: 'x'.repeat(201) }],
    ['/csps', 'colour', { code: 'OK', name: 'x', colour: 'blue' }],
    ['/agencies', 'kind', { name: 'Fire', kind: 'fire_brigade' }],
    ['/agencies', 'name', { kind: 'other' }],
  ])('POST %s with a bad %s is a 400 naming it and writes nothing', async (path, field, body) => {
    const table = path.slice(1);
    const before = await count(table);
    const res = await http().post(path).set('X-Actor', 'admin').send(body);
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    expect(await count(table)).toBe(before);
  });
});
