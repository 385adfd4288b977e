import { Module } from '@nestjs/common';
import { CaseFileCoreModule } from '../casefile-core.module';
import { PeopleController } from './people.controller';
import { PeopleService } from './people.service';

@Module({ imports: [CaseFileCoreModule], controllers: [PeopleController], providers: [PeopleService], exports: [PeopleService] })
export class PeopleModule {}
