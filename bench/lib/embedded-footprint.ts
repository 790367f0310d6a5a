import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Reports the process's peak resident size (kB, from getrusage) on stderr as it exits. */
const REPORT_PEAK = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;

/**
 * Peak resident size, in MB, of the process that creates the embedded store's files. On a first
 * start the service runs it as a short-lived child process (dist/libs/sql/src/pglite-create.js),
 * so the service's own peak does not include it; this runs the same script on a fresh folder.
 */
export async function dataDirCreationPeakMb(script = 'dist/libs/sql/src/pglite-create.js'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-create-'));
  try {
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', REPORT_PEAK, script, join(dir, 'pglite')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`creating the store exited with code ${code}: ${text}`))));
    });
    const match = /maxrss=(\d+)/.exec(stderr);
    if (!match) throw new Error(`the creating process did not report its peak: ${stderr}`);
    return Math.round(Number(match[1]) / 102.4) / 10;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
