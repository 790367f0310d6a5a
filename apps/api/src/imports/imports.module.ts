import { Module } from '@nestjs/common';
import { HistoryImports } from './history-imports.js';
import { importDirectoryProvider } from './import-directory.js';
import { ImportsController } from './imports.controller.js';

/** History import (docs/import.md): its tables come from the schema migrations at start. */
@Module({ controllers: [ImportsController], providers: [HistoryImports, importDirectoryProvider], exports: [HistoryImports] })
export class ImportsModule {}
