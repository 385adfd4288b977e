import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Csp } from './csp.entity';
import { CspsController } from './csps.controller';
import { CspsService } from './csps.service';

@Module({
  imports: [TypeOrmModule.forFeature([Csp])],
  controllers: [CspsController],
  providers: [CspsService],
  exports: [CspsService],
})
export class CspsModule {}
