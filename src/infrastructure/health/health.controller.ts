import { Controller, Get, HttpStatus, Res } from '@nestjs/common';
import { SkipThrottle } from '@nestjs/throttler';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { ReadinessService } from './readiness.service';

@ApiTags('health')
@SkipThrottle()
@Controller('health')
export class HealthController {
  constructor(private readonly readiness: ReadinessService) {}

  @Get()
  @ApiOkResponse({ description: 'The process is alive.' })
  alive() {
    return { status: 'ok' };
  }

  @Get('ready')
  @ApiOkResponse({ description: 'PostgreSQL and Redis are reachable and every migration is applied.' })
  @ApiServiceUnavailableResponse({ description: 'Not ready; `failing` names the parts that are down.' })
  async ready(@Res({ passthrough: true }) res: Response) {
    const result = await this.readiness.readiness();
    res.status(result.ready ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: result.ready ? 'ready' : 'not_ready',
      ...(result.ready ? {} : { message: `Not ready: ${result.failing.join(', ')} unavailable` }),
      failing: result.failing,
      checks: result.checks,
      degraded: result.degraded,
      reminders: result.reminders,
    };
  }

  @Get('reminders')
  @ApiOkResponse({ description: 'Reminders flow: nothing owed or in the outbox has waited longer than REMINDER_STALLED_AFTER_MS.' })
  @ApiServiceUnavailableResponse({ description: 'Reminders are not flowing (no worker running, SMTP refusing mail...); `reason` says what has waited how long.' })
  async reminders(@Res({ passthrough: true }) res: Response) {
    const result = await this.readiness.reminders();
    res.status(result.status === 'flowing' ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return result;
  }
}
