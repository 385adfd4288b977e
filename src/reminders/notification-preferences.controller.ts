import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { Clock } from '../infrastructure/clock/clock';
import { Actor } from '../infrastructure/http/actor';
import { openApiBody } from '../infrastructure/http/openapi';
import { parseInput } from '../infrastructure/http/validation';
import { DEFAULT_NOTIFICATION_MODE, NOTIFICATION_MODES, NotificationPreference } from './notification-preference.entity';
import { normaliseEmail } from './notification-preferences';

export const preferenceParams = z.object({
  email: z
    .string()
    .trim()
    .max(320, 'must be at most 320 characters')
    .email('must be an email address')
    .transform(normaliseEmail),
});

export const setPreferenceSchema = z
  .object({
    mode: z.enum(NOTIFICATION_MODES, { errorMap: () => ({ message: `must be one of ${NOTIFICATION_MODES.join(', ')}` }) }),
  })
  .strict();

/**
 * Each person's choice between a reminder email at each reminder (immediate, the default) and
 * one email a day at 09:30 UK time listing them (daily_digest). Keyed by email address until
 * user accounts exist; escalations always go at once.
 */
@ApiTags('notification preferences')
@Controller('notification-preferences')
export class NotificationPreferencesController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly clock: Clock,
  ) {}

  @Get(':email')
  @ApiParam({ name: 'email', description: 'The address reminders go to (case does not matter).' })
  @ApiOkResponse({ description: '{ email, mode }: immediate when nothing was chosen.' })
  async get(@Param() params: unknown) {
    const { email } = parseInput(preferenceParams, params);
    const row = await this.dataSource.manager.findOne(NotificationPreference, { where: { email } });
    return { email, mode: row?.mode ?? DEFAULT_NOTIFICATION_MODE };
  }

  @Put(':email')
  @ApiParam({ name: 'email', description: 'The address reminders go to (case does not matter).' })
  @ApiHeader({ name: 'X-Actor', required: true, description: 'Who is making the choice.' })
  @ApiBody(openApiBody(setPreferenceSchema, 'SetNotificationPreference'))
  @ApiOkResponse({ description: '{ email, mode } as now stored.' })
  async set(@Param() params: unknown, @Body() body: unknown, @Actor() actor: string) {
    const { email } = parseInput(preferenceParams, params);
    const { mode } = parseInput(setPreferenceSchema, body);
    await this.dataSource.manager.upsert(
      NotificationPreference,
      { email, mode, updatedAt: this.clock.now(), updatedBy: actor },
      { conflictPaths: ['email'] },
    );
    return { email, mode };
  }
}
