import { Module } from '@nestjs/common';
import { HistoryImports } from './history-imports.js';
import { ImportsController } from './imports.controller.js';

/** History import (docs/import.md): its tables come from the schema migrations at start. */
@Module({ controllers: [ImportsController], providers: [HistoryImports], exports: [HistoryImports] })
export class ImportsModule {}
