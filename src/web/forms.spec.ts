import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { PreconditionRequiredError, RequestValidationError, StaleVersionError, StateConflictError } from '../infrastructure/http/errors';
import { FieldSpec, formView, ifMatchOf, mergeProblems, readDate, readForm, refusalOf } from './forms';

const FIELDS: FieldSpec[] = [
  { name: 'outcome', label: 'Decision', kind: 'radios', options: [{ value: 'proceed', text: 'Hold a review' }] },
  { name: 'rationale', label: 'Reasons', kind: 'textarea' },
  { name: 'decidedAt', label: 'Date of the decision', kind: 'date' },
  { name: 'jointWith', label: 'Other review', kind: 'text', optional: true },
];

describe('reading forms', () => {
  it('turns the three boxes of a date into YYYY-MM-DD', () => {
    expect(readDate({ 'd-day': '3', 'd-month': '1', 'd-year': '2026' }, 'd')).toEqual({ value: '2026-01-03' });
    expect(readDate({ 'd-day': ' 28 ', 'd-month': '02', 'd-year': '2026' }, 'd')).toEqual({ value: '2026-02-28' });
    expect(readDate({}, 'd')).toEqual({});
    expect(readDate({ 'd-day': '', 'd-month': '', 'd-year': '' }, 'd')).toEqual({});
  });

  it('names what is missing or unreadable in a date (the service judges whether it exists)', () => {
    expect(readDate({ 'd-day': '3', 'd-year': '2026' }, 'd').problem).toBe('must include a month');
    expect(readDate({ 'd-year': '2026' }, 'd').problem).toBe('must include a day and month');
    expect(readDate({ 'd-day': 'x', 'd-month': '1', 'd-year': '2026' }, 'd').problem).toMatch(/must be a real date/);
    expect(readDate({ 'd-day': '31', 'd-month': '2', 'd-year': '2026' }, 'd')).toEqual({ value: '2026-02-31' });
  });

  it('reads fields as the schema takes them: empty optional ones and unchosen radios left out', () => {
    const { input, problems } = readForm(FIELDS, { outcome: '', rationale: '', 'decidedAt-day': '1', 'decidedAt-month': '2', 'decidedAt-year': '2026', jointWith: ' ', _csrf: 'x' });
    expect(input).toEqual({ rationale: '', decidedAt: '2026-02-01' });
    expect(problems).toEqual([]);
  });

  it('gives an unreadable date a value the schema refuses, so one answer names every field', () => {
    const { input, problems } = readForm(FIELDS, { rationale: 'r', 'decidedAt-day': '1' });
    expect(problems).toEqual([{ field: 'decidedAt', message: 'must include a month and year' }]);
    expect(z.string().date().safeParse(input.decidedAt).success).toBe(false);
  });
});

describe('a declaration (checkbox) and a file', () => {
  const DECLARATION: FieldSpec[] = [
    { name: 'declared', label: 'Declaration', errorLabel: 'that they did not manage the case directly', kind: 'checkbox', options: [{ value: 'true', text: 'They declare…' }] },
    { name: 'file', label: 'File', errorLabel: 'the file to upload', kind: 'file' },
  ];

  it('sends a ticked box as true, leaves an unticked one out, and never reads a file from the body', () => {
    expect(readForm(DECLARATION, { declared: 'true', file: 'C:\\fakepath\\x.pdf' }).input).toEqual({ declared: true });
    expect(readForm(DECLARATION, {}).input).toEqual({});
  });

  it('asks to confirm a missing declaration and to select a missing file; shows a box ticked as submitted', () => {
    const view = formView(DECLARATION, { body: { declared: 'true' }, problems: [{ field: 'declared', message: 'is required' }, { field: 'file', message: 'is required' }] });
    expect(view.errorList).toEqual([
      { text: 'Confirm that they did not manage the case directly', href: '#declared' },
      { text: 'Select the file to upload', href: '#file' },
    ]);
    expect(view.fields[0].items).toEqual([expect.objectContaining({ value: 'true', checked: true })]);
  });
});

describe('what a refusal shows', () => {
  it('400: each field named, in GOV.UK words, linked to its input (a date to its day box)', () => {
    const refusal = refusalOf(
      new RequestValidationError([
        { field: 'outcome', message: 'is required' },
        { field: 'rationale', message: 'must not be empty' },
        { field: 'decidedAt', message: 'must not be in the future' },
        { field: 'If-Match', message: 'must be an ETag' },
      ]),
    );
    const view = formView(FIELDS, { idPrefix: 'DECIDE-', problems: refusal!.problems });
    expect(view.errorList).toEqual([
      { text: 'Select decision', href: '#DECIDE-outcome' },
      { text: 'Enter reasons', href: '#DECIDE-rationale' },
      { text: 'Date of the decision must not be in the future', href: '#DECIDE-decidedAt-day' },
      { text: 'If-Match: must be an ETag' },
    ]);
    expect(view.fields.find((f) => f.name === 'decidedAt')?.error).toBe('Date of the decision must not be in the future');
  });

  it('409: the reasons, or the field its message names first', () => {
    expect(refusalOf(new StateConflictError('DECIDE is not allowed now', ['The review is on hold']))).toMatchObject({
      status: 409,
      problems: [],
      summary: 'DECIDE is not allowed now',
      reasons: ['The review is on hold'],
    });
    expect(refusalOf(new StateConflictError('number: recommendation 3 already exists'), ['number'])).toMatchObject({
      problems: [{ field: 'number', message: 'recommendation 3 already exists' }],
      summary: null,
    });
  });

  it('an error whose message names form fields first, as the API writes them', () => {
    const error = new BadRequestException({ statusCode: 400, message: 'dueOn: must be a date; reason: is required' });
    expect(refusalOf(error, ['dueOn', 'reason'])).toMatchObject({
      problems: [
        { field: 'dueOn', message: 'must be a date' },
        { field: 'reason', message: 'is required' },
      ],
      summary: null,
    });
    expect(refusalOf(error, ['dueOn'])).toMatchObject({ problems: [], summary: 'dueOn: must be a date; reason: is required' });
  });

  it('a zod error names each field', () => {
    const result = z.object({ dueOn: z.string().date('must be a date') }).safeParse({ dueOn: 'x' });
    expect(refusalOf(result.error)).toMatchObject({ status: 400, problems: [{ field: 'dueOn', message: 'must be a date' }] });
  });

  it('412: stale; other errors are not the form’s', () => {
    expect(refusalOf(new StaleVersionError(3, 4))).toMatchObject({ status: 412, stale: true });
    expect(refusalOf(new PreconditionRequiredError())).toMatchObject({ status: 428, stale: false, summary: expect.stringContaining('If-Match') });
    expect(refusalOf(new Error('boom'))).toBeNull();
  });

  it('keeps the form’s own reading of a field over the service’s', () => {
    expect(mergeProblems([{ field: 'd', message: 'must include a month' }], [{ field: 'd', message: 'must be a date' }, { field: 'e', message: 'x' }])).toEqual([
      { field: 'd', message: 'must include a month' },
      { field: 'e', message: 'x' },
    ]);
  });

  it('shows stored dates in their boxes and the submitted values over them', () => {
    const [, , date] = formView(FIELDS, { values: { decidedAt: '2026-03-05' } }).fields;
    expect([date.day, date.month, date.year]).toEqual(['5', '3', '2026']);
    const [radio] = formView(FIELDS, { body: { outcome: 'proceed' } }).fields;
    expect(radio.items).toEqual([{ value: 'proceed', text: 'Hold a review', checked: true, selected: true }]);
  });

  it('sends the version a form carried as If-Match', () => {
    expect(ifMatchOf('7')).toBe('"7"');
    expect(ifMatchOf('')).toBe('');
    expect(ifMatchOf('x')).toBe('');
  });
});
