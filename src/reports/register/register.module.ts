import { Module } from '@nestjs/common';
import { RecommendationsRegisterController } from './register.controller';
import { RecommendationsRegisterService } from './register.service';

/** The recommendations register: API here; its page is in the web module. */
@Module({ controllers: [RecommendationsRegisterController], providers: [RecommendationsRegisterService], exports: [RecommendationsRegisterService] })
export class RecommendationsRegisterModule {}
