import { Module } from '@nestjs/common';
import { NotificationPreferencesController } from './notification-preferences.controller';

/** The API's side of reminder preferences (the worker reads the table directly). */
@Module({ controllers: [NotificationPreferencesController] })
export class NotificationPreferencesModule {}
