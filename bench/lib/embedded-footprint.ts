import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Reports the process's peak resident size (kB, from getrusage) on stderr as it exits. */
const REPORT_PEAK = `data:text/javascript,process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))`;

/**
 * Peak resident size of the embedded store's initdb, in MB. On a first start the service runs
 * it in a short-lived child process (dist/libs/sql/src/pglite-initdb.js), so the service's own
 * peak does not include it; this runs the same script on a fresh folder and reports its peak.
 */
export async function initdbPeakMb(script = 'dist/libs/sql/src/pglite-initdb.js'): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-initdb-'));
  try {
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', REPORT_PEAK, script, join(dir, 'pglite')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.once('error', reject);
      child.once('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`initdb exited with code ${code}: ${text}`))));
    });
    const match = /maxrss=(\d+)/.exec(stderr);
    if (!match) throw new Error(`initdb did not report its peak: ${stderr}`);
    return Math.round(Number(match[1]) / 102.4) / 10;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
