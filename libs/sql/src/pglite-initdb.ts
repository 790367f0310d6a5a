import { PGlite } from '@electric-sql/pglite';
import { EMBEDDED_SETTINGS } from './pglite.js';

/**
 * `node pglite-initdb.js <folder>`: creates the embedded database's files in <folder> and exits.
 * Started by `initializeDataDir`, so that initdb's memory peak is not the serving process's.
 */
const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: pglite-initdb.js <folder>');
await (await PGlite.create({ dataDir, postgresqlconf: EMBEDDED_SETTINGS })).close();
