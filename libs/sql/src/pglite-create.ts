import { createDataDir, makeTemplate } from './pglite-data-dir.js';

/**
 * `node pglite-create.js <folder>`: creates a new embedded database's files in <folder> and exits.
 * Started by `initializeDataDir`, so that this memory peak is never the serving process's.
 * `node pglite-create.js --template`: makes the packed template again (`npm run embedded:template`).
 */
const [argument] = process.argv.slice(2);
if (!argument) throw new Error('usage: pglite-create.js <folder> | --template');
if (argument === '--template') await makeTemplate();
else await createDataDir(argument);
