import type { ZodType } from 'zod';
import { extendImrSchema, qualityCheckImrSchema, receiveImrSchema, signOffImrSchema, waiveImrSchema } from '../../casefile/imrs/imrs.schemas';
import type { ImrsService } from '../../casefile/imrs/imrs.service';
import type { FieldSpec } from '../forms';
import { ukDate } from '../web-views';

/**
 * The forms about one IMR (receipt, extension, quality check, sign-off, waiver): their fields,
 * words, when each is closed, and the ImrsService call each makes. ImrsPagesController routes
 * them, one FormPage each.
 */

export type ImrView = Awaited<ReturnType<ImrsService['get']>>;
type Params = Record<string, string>;

const RECEIPT_FIELDS: FieldSpec[] = [{ name: 'receivedOn', label: 'Date received', kind: 'date', hint: 'For example, 30 3 2026' }];

const EXTENSION_FIELDS: FieldSpec[] = [
  { name: 'newDueOn', label: 'New due date', kind: 'date' },
  { name: 'reason', label: 'Reason for the extension', kind: 'textarea', hint: 'This is kept in the review’s history.' },
  { name: 'grantedOn', label: 'Date the extension was granted', kind: 'date' },
];

const QUALITY_CHECK_FIELDS: FieldSpec[] = [
  { name: 'checkedOn', label: 'Date of the quality check', kind: 'date', hint: 'The date the IMR was checked. It cannot be before the IMR was received.' },
];

const SIGN_OFF_FIELDS: FieldSpec[] = [
  {
    name: 'signedOffBy',
    label: 'Who signed it off',
    kind: 'text',
    hint: 'The senior manager in the agency who signed the IMR off, and their role.',
    autocomplete: 'off',
  },
  { name: 'signedOffOn', label: 'Date signed off', kind: 'date' },
];

const WAIVER_FIELDS: FieldSpec[] = [
  { name: 'reason', label: 'Reason for waiving the IMR', kind: 'textarea', hint: 'This is kept in the review’s history.' },
];

export type ImrFormKind = 'receipt' | 'extension' | 'qualityCheck' | 'signOff' | 'waiver';

interface ImrForm {
  fields: FieldSpec[];
  /** The route under the IMR (the API's own path segment). */
  path: string;
  title: string;
  heading: (agencyName: string) => string;
  intro?: string;
  button: string;
  warning?: boolean;
  /** What the form starts from: the values already recorded (a correction starts from them). */
  values?: (imr: ImrView) => Record<string, string | null>;
  /** Why the form is not offered in this state (the service would refuse it), else null. */
  closed: (imr: ImrView) => string | null;
  schema: (today: () => string) => ZodType;
  /** The service's call (each takes the IMR's If-Match) and the confirmation after it. */
  submit: (imrs: ImrsService, p: Params, input: never, actor: string, ifMatch: string) => Promise<unknown>;
  done: string;
}

/** Receipt, extension and waiver apply to an outstanding IMR; quality check and sign-off to a received one (ImrsService). */
const onlyOutstanding = (imr: ImrView) => (imr.state === 'outstanding' ? null : `Nothing more can be recorded: ${stateInWords(imr)}.`);
const onlyReceived = (imr: ImrView) =>
  imr.state === 'received'
    ? null
    : imr.state === 'waived'
      ? `Nothing more can be recorded: ${stateInWords(imr)}.`
      : `The IMR has not been received yet (${stateInWords(imr)}): record its receipt first.`;

export const IMR_FORMS: Readonly<Record<ImrFormKind, ImrForm>> = {
  receipt: {
    fields: RECEIPT_FIELDS,
    path: 'receipt',
    title: 'Record receipt',
    heading: (agency) => `Record receipt of the IMR from ${agency}`,
    button: 'Record receipt',
    closed: onlyOutstanding,
    schema: receiveImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.receive(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_RECEIVED',
  },
  extension: {
    fields: EXTENSION_FIELDS,
    path: 'extensions',
    title: 'Grant an extension',
    heading: (agency) => `Grant an extension to ${agency}`,
    button: 'Grant the extension',
    closed: onlyOutstanding,
    schema: extendImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.extend(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_EXTENDED',
  },
  qualityCheck: {
    fields: QUALITY_CHECK_FIELDS,
    path: 'quality-check',
    title: 'Record quality check',
    heading: (agency) => `Record the quality check of the IMR from ${agency}`,
    intro: 'Record the date the IMR was checked for quality, once it was received.',
    button: 'Record the quality check',
    values: (imr) => ({ checkedOn: imr.qualityCheckedOn }),
    closed: onlyReceived,
    schema: qualityCheckImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.qualityCheck(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_QUALITY_CHECKED',
  },
  signOff: {
    fields: SIGN_OFF_FIELDS,
    path: 'sign-off',
    title: 'Record sign-off',
    heading: (agency) => `Record the sign-off of the IMR from ${agency}`,
    intro: 'Record who in the agency signed the IMR off, and when.',
    button: 'Record the sign-off',
    values: (imr) => ({ signedOffBy: imr.signedOffBy, signedOffOn: imr.signedOffOn }),
    closed: onlyReceived,
    schema: signOffImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.signOff(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_SIGNED_OFF',
  },
  waiver: {
    fields: WAIVER_FIELDS,
    path: 'waiver',
    title: 'Waive the IMR',
    heading: (agency) => `Waive the IMR from ${agency}`,
    intro: 'The agency will no longer be expected to send it, and its deadline stops. A waived IMR cannot be received or extended afterwards.',
    button: 'Waive the IMR',
    warning: true,
    closed: onlyOutstanding,
    schema: () => waiveImrSchema,
    submit: (s, p, input, actor, ifMatch) => s.waive(p.reviewId, p.imrId, input, actor, ifMatch),
    done: 'IMR_WAIVED',
  },
};

export function stateInWords(imr: ImrView): string {
  if (imr.receivedOn) return `received on ${ukDate(imr.receivedOn)}`;
  if (imr.waivedReason) return `waived (${imr.waivedReason})`;
  return `outstanding, due on ${ukDate(imr.dueOn)}`;
}

/** A received IMR's quality check and sign-off, in words (", quality checked on …, signed off by … on …"). */
export function checksInWords(imr: ImrView): string {
  if (imr.state !== 'received') return '';
  const checked = imr.qualityCheckedOn ? `quality checked on ${ukDate(imr.qualityCheckedOn)}` : 'not yet quality checked';
  const signed = imr.signedOffOn ? `signed off by ${imr.signedOffBy ?? ''} on ${ukDate(imr.signedOffOn)}` : 'not yet signed off';
  return `, ${checked}, ${signed}`;
}

/** What the IMR's forms show about it. */
export function aboutImr(imr: ImrView, agencyName: string) {
  return [
    { key: { text: 'Agency' }, value: { text: agencyName } },
    { key: { text: 'Requested' }, value: { text: ukDate(imr.requestedOn) } },
    { key: { text: 'Due' }, value: { text: ukDate(imr.dueOn) } },
    { key: { text: 'State' }, value: { text: stateInWords(imr) } },
    ...(imr.state === 'received'
      ? [
          { key: { text: 'Quality check' }, value: { text: imr.qualityCheckedOn ? `Checked on ${ukDate(imr.qualityCheckedOn)}` : 'Not yet checked' } },
          { key: { text: 'Sign-off' }, value: { text: imr.signedOffOn ? `Signed off by ${imr.signedOffBy ?? ''} on ${ukDate(imr.signedOffOn)}` : 'Not yet signed off' } },
        ]
      : []),
  ];
}
