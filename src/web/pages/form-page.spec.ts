import { ConflictException, Controller, Get, NotFoundException, PreconditionFailedException, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import type { Response } from 'express';
import { z } from 'zod';
import { parseInput } from '../../infrastructure/http/validation';
import type { FieldSpec } from '../forms';
import type { WebRequest } from '../web-views';
import { FormPages, FormRoute, TabRoute } from './form-page';
import type { FormPage } from './form-page';

const FIELDS: FieldSpec[] = [
  { name: 'title', label: 'Title', kind: 'text' },
  { name: 'dueOn', label: 'Due date', kind: 'date', optional: true },
];
const schema = z.object({ title: z.string().min(3), dueOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional() }).strict();

/** A FormPages over fakes: what it rendered and where it redirected. */
function harness(history: unknown[] = []) {
  const rendered: Array<{ template: string; context: Record<string, unknown>; status: number }> = [];
  const redirected: string[] = [];
  const views = {
    render: async (_req: unknown, _res: unknown, template: string, context: Record<string, unknown>, status = 200) => {
      rendered.push({ template, context, status });
    },
    redirect: (_res: unknown, to: string) => {
      redirected.push(to);
    },
  };
  const reviews = { history: async () => history, get: async () => ({ id: 'r1', reference: 'DHR-X-2026-001', version: 7 }) };
  const forms = new FormPages(reviews as never, { list: async () => [] } as never, views as never);
  const req = { identity: { actor: 'lead@example.org' }, access: { trusted: true } } as unknown as WebRequest;
  return { forms, req, res: {} as Response, rendered, redirected };
}

const written: Array<{ input: unknown; actor: string; ifMatch: string }> = [];
const page = (refuse?: () => never): FormPage<{ reference: string; version: number }> => ({
  load: async () => ({ reference: 'DHR-X-2026-001', version: 3 }),
  fields: FIELDS,
  values: () => ({ title: 'As stored' }),
  submit: async (input, { actor, ifMatch, params }) => {
    const parsed = parseInput(schema, input);
    if (refuse) refuse();
    written.push({ input: parsed, actor: actor(), ifMatch });
    return `/cases/${params.reviewId}/things?done=THING_RECORDED`;
  },
  stale: { what: 'thing', about: (e) => e.payload?.thingId === 't1', now: () => 'It is now done' },
  view: (review, { params }) => ({
    review,
    heading: 'Record a thing',
    back: { href: `/cases/${params.reviewId}/things`, text: 'Back' },
    action: `/cases/${params.reviewId}/things`,
    hidden: { version: review.version, reviewVersion: 5 },
    button: 'Record',
  }),
});

describe('FormPages', () => {
  beforeEach(() => written.splice(0));

  it('shows the form as stored, framed for pages/cases/form.njk', async () => {
    const { forms, req, res, rendered } = harness();
    await forms.show(page(), req, res, { reviewId: 'r1' });
    expect(rendered).toHaveLength(1);
    const { template, context, status } = rendered[0];
    expect([template, status]).toEqual(['pages/cases/form.njk', 200]);
    expect(context.pageTitle).toBe('Record a thing – DHR-X-2026-001');
    expect((context.fields as Array<{ value: string }>)[0].value).toBe('As stored');
    expect(context.errorList).toEqual([]);
  });

  it('calls the service with what was typed and the version as If-Match, then redirects', async () => {
    const { forms, req, res, rendered, redirected } = harness();
    await forms.post(page(), req, res, { reviewId: 'r1' }, { title: 'A thing', 'dueOn-day': '4', 'dueOn-month': '12', 'dueOn-year': '2026', version: '3' });
    expect(redirected).toEqual(['/cases/r1/things?done=THING_RECORDED']);
    expect(rendered).toEqual([]);
    expect(written).toEqual([{ input: { title: 'A thing', dueOn: '2026-12-04' }, actor: 'lead@example.org', ifMatch: '"3"' }]);
  });

  it('shows the form again with the values typed and each problem, with the status the service gave, writing nothing', async () => {
    const { forms, req, res, rendered, redirected } = harness();
    await forms.post(page(), req, res, { reviewId: 'r1' }, { title: 'ab', 'dueOn-day': '4', 'dueOn-month': '', 'dueOn-year': '2026' });
    expect(redirected).toEqual([]);
    expect(written).toEqual([]);
    expect(rendered[0].status).toBe(400);
    const fields = rendered[0].context.fields as Array<{ value: string; error: string | null }>;
    expect(fields[0].value).toBe('ab');
    expect(fields[0].error).toMatch(/^Title /);
    expect(fields[1].error).toBe('Due date must include a month');
    expect((rendered[0].context.errorList as Array<{ href?: string }>).map((e) => e.href)).toEqual(['#title', '#dueOn-day']);
  });

  it('puts a 409’s reasons in the summary', async () => {
    const { forms, req, res, rendered } = harness();
    const refuse = () => {
      throw new ConflictException({ statusCode: 409, message: 'Not now', reasons: ['The review is closed'] });
    };
    await forms.post(page(refuse), req, res, { reviewId: 'r1' }, { title: 'A thing' });
    expect(rendered[0].status).toBe(409);
    expect(rendered[0].context.errorList).toEqual([{ text: 'Not now' }, { text: 'The review is closed' }]);
  });

  it('after a 412, says what changed and who changed it, and shows the record as it is now', async () => {
    const change = { sequence: 6, type: 'IMR_RECEIVED', payload: { thingId: 't1' }, actor: 'chair@example.org', actorName: 'Chris Rowe', occurredAt: '2026-12-04T10:30:00Z', recordedAt: '2026-12-04T10:30:00Z', origin: 'api', fromStatus: 'x', toStatus: 'x', fromOnHold: false, toOnHold: false };
    const { forms, req, res, rendered } = harness([change]);
    const refuse = () => {
      throw new PreconditionFailedException({ statusCode: 412, message: 'Changed' });
    };
    await forms.post(page(refuse), req, res, { reviewId: 'r1' }, { title: 'Typed', version: '3', reviewVersion: '5' });
    expect(rendered[0].status).toBe(412);
    expect(rendered[0].context.errorTitle).toBe('This thing changed since you opened it');
    expect(String(rendered[0].context.errorDescription)).toContain('changed by Chris Rowe');
    expect((rendered[0].context.fields as Array<{ value: string }>)[0].value).toBe('As stored');
  });

  it('lets what is not about the form (404) go on to the error pages', async () => {
    const { forms, req, res } = harness();
    const refuse = () => {
      throw new NotFoundException();
    };
    await expect(forms.post(page(refuse), req, res, { reviewId: 'r1' }, { title: 'A thing' })).rejects.toBeInstanceOf(NotFoundException);
  });
});

describe('FormRoute and TabRoute', () => {
  @Controller('things')
  class ThingsController {
    constructor(readonly forms: FormPages) {}

    @TabRoute('', { template: 'pages/cases/things.njk', key: 'things', heading: 'Things' })
    async list() {
      return {};
    }

    @FormRoute('new', { post: '' })
    newThing(): FormPage<{ reference: string; version: number }> {
      return page();
    }

    @Get(':thingId')
    thing() {
      return null;
    }

    @FormRoute(':thingId/close', { page: 'close' })
    @FormRoute(':thingId/open', { page: 'open' })
    @FormRoute(':thingId/close', { page: 'reopen', post: ':thingId/reopen', show: false })
    change(which: string): FormPage<{ reference: string; version: number }> {
      return { ...page(), view: (review) => ({ review, heading: which, back: { href: '/', text: 'Back' }, action: '/', button: which }) };
    }
  }

  const routes = () =>
    Object.getOwnPropertyNames(ThingsController.prototype).flatMap((name) => {
      const handler = (ThingsController.prototype as unknown as Record<string, unknown>)[name];
      const method = typeof handler === 'function' ? (Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined) : undefined;
      return method === undefined ? [] : [`${RequestMethod[method]} ${Reflect.getMetadata(PATH_METADATA, handler as object)}`];
    });

  it('routes each form page (GET shows, POST submits) in its place among the class’s routes', () => {
    // `new` before `:thingId`, so that a later route with a parameter does not take it; several on one method in the order written;
    // a second form on a page another route shows (show: false) only posts.
    expect(routes()).toEqual(['GET /', 'GET new', 'POST /', 'GET :thingId', 'GET :thingId/close', 'POST :thingId/close', 'GET :thingId/open', 'POST :thingId/open', 'POST :thingId/reopen']);
  });

  it('runs the page the route names through the controller’s FormPages', async () => {
    const { forms, req, res, rendered } = harness();
    const controller = new ThingsController(forms) as unknown as Record<string, (...args: unknown[]) => Promise<void>>;
    await controller.change_closeShow(req, res, { reviewId: 'r1', thingId: 't1' });
    expect(rendered[0].context.heading).toBe('close');
    await controller.list(req, res, { reviewId: 'r1' }, { done: 'X' });
    expect(rendered[1]).toMatchObject({ template: 'pages/cases/things.njk', context: { heading: 'Things', pageTitle: 'Things – DHR-X-2026-001' } });
  });
});
