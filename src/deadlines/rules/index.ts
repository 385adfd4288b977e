export * from './calendar';
export * from './dates';
export * from './holds';
export * from './kinds';
export {
  REMINDER_POLICY_FILE,
  loadReminderPolicy,
  parseReminderPolicy,
  reminderPolicySchema,
  nextReminder,
  reminderSchedule,
} from './reminder-policy';
export type {
  DeadlineForReminders,
  KindReminderPolicy,
  ReminderPolicy,
  ReminderPolicyInput,
  ReminderType,
  ScheduledReminder,
} from './reminder-policy';
export * from './rules-file';
export * from './statutory-periods';
