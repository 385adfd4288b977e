import { DeadlinePause } from './deadline-pause.entity';
import { Deadline } from './deadline.entity';
import { Notification } from './notification.entity';
import { OutboxMessage } from './outbox.entity';

export const DEADLINE_ENTITIES = [Deadline, DeadlinePause, OutboxMessage, Notification];
