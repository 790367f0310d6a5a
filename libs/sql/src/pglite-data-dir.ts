import { createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pipeline } from 'node:stream/promises';
import { constants, createBrotliCompress } from 'node:zlib';
import * as tar from 'tar';

/**
 * PostgreSQL's server defaults size memory for a dedicated machine (128 MB of shared buffers);
 * inside the service's own process they only add to its resident size. The files stay in the
 * operating system's page cache anyway.
 */
export const EMBEDDED_SETTINGS = ['shared_buffers=16MB', 'work_mem=2MB', 'maintenance_work_mem=16MB', 'temp_buffers=2MB', 'wal_buffers=1MB'];

/** What a packed set of database files was made with; they fit only that PGlite and those settings. */
export interface TemplateManifest {
  pglite: string;
  settings: string[];
}

function packageRoot(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(folder, 'package.json'))) {
    const parent = dirname(folder);
    if (parent === folder) throw new Error('the service package.json was not found above libs/sql');
    folder = parent;
  }
  return folder;
}

/**
 * The files of a new, empty embedded database, packed: PGlite's initdb makes the same files every
 * time for a given PGlite and settings, but peaks near 800 MB resident while it does (a second
 * WebAssembly instance filling the catalogs); unpacking them takes a second and little memory.
 * `npm run embedded:template` makes them again (after an upgrade of PGlite, or new settings).
 */
export const TEMPLATE = join(packageRoot(), 'libs/sql/assets/pglite-template.tar.br');

const manifestOf = (template: string) => template.replace(/\.tar\.br$/, '.json');

export function installedPglite(): string {
  const wasm = createRequire(import.meta.url).resolve('@electric-sql/pglite/pglite.wasm');
  return (JSON.parse(readFileSync(join(dirname(wasm), '..', 'package.json'), 'utf8')) as { version: string }).version;
}

export function expectedManifest(): TemplateManifest {
  return { pglite: installedPglite(), settings: EMBEDDED_SETTINGS };
}

/** The manifest of the packed files, or null when there are none. */
export function templateManifest(template = TEMPLATE): TemplateManifest | null {
  const manifest = manifestOf(template);
  if (!existsSync(template) || !existsSync(manifest)) return null;
  return JSON.parse(readFileSync(manifest, 'utf8')) as TemplateManifest;
}

function fits(manifest: TemplateManifest | null): boolean {
  return manifest !== null && JSON.stringify(manifest) === JSON.stringify(expectedManifest());
}

async function initdb(folder: string): Promise<void> {
  // Loaded only here: unpacking the template needs none of it.
  const { PGlite } = await import('@electric-sql/pglite');
  await (await PGlite.create({ dataDir: folder, postgresqlconf: EMBEDDED_SETTINGS })).close();
}

/**
 * Creates a new database's files in `folder`: unpacked from the template when it was made for the
 * installed PGlite and these settings, otherwise by PGlite's initdb. Says which it did.
 */
export async function createDataDir(folder: string, template = TEMPLATE): Promise<'template' | 'initdb'> {
  mkdirSync(folder, { recursive: true });
  if (fits(templateManifest(template))) {
    await tar.x({ file: template, cwd: folder, strict: true });
    return 'template';
  }
  await initdb(folder);
  return 'initdb';
}

/** Runs initdb into a scratch folder and packs its files as the template, with their manifest. */
export async function makeTemplate(template = TEMPLATE): Promise<void> {
  const folder = mkdtempSync(join(tmpdir(), 'pglite-template-'));
  try {
    await initdb(folder);
    mkdirSync(dirname(template), { recursive: true });
    // Brotli at its best ratio over a 16 MB window: the files are mostly zeros (a WAL segment), 40 MB packed to 1.3 MB.
    const brotli = createBrotliCompress({ params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 24 } });
    await pipeline(tar.c({ cwd: folder, portable: true }, ['.']), brotli, createWriteStream(template));
    writeFileSync(manifestOf(template), `${JSON.stringify(expectedManifest(), null, 2)}\n`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
