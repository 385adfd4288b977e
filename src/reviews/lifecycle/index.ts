/** Public surface of the review lifecycle (pure: no Nest, no I/O). */
export * from './review-facts';
export * from './review-context';
export * from './events';
export {
  holdReasons,
  refusalReasons,
  REFUSAL_RULES,
  type RefusalRule,
  type RuleInput,
} from './guard-reasons';
export { REVIEW_MACHINE_VERSION, reviewMachine, type ReviewMachine, type ReviewMachineInput } from './review-machine';
export * from './lifecycle';
export * from './diagram';
