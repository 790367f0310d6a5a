import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');

describe('the repository stands on its own', () => {
  const documents = [
    'README.md',
    'BENCHMARKS.md',
    ...readdirSync(join(root, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it.each(documents)('%s links only to files inside the repository, and they exist', (document) => {
    const links = [...read(document).matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((href) => !/^(https?:|mailto:|#)/.test(href));
    for (const href of links) {
      const target = resolve(root, dirname(document), href.split('#')[0]);
      expect({ href, inside: !relative(root, target).startsWith('..'), exists: existsSync(target) }).toEqual({ href, inside: true, exists: true });
    }
  });

  it('nest-cli.json names every app and library, and nothing else', () => {
    const projects = (JSON.parse(read('nest-cli.json')) as { projects: Record<string, { root: string }> }).projects;
    const folders = ['apps', 'libs'].flatMap((top) => readdirSync(join(root, top)).map((name) => `${top}/${name}`));
    expect(
      Object.values(projects)
        .map((p) => p.root)
        .sort(),
    ).toEqual(folders.sort());
  });

  it('every library has its import alias (#<lib>/…), resolved from the build', () => {
    const imports = (JSON.parse(read('package.json')) as { imports: Record<string, string> }).imports;
    const libraries = readdirSync(join(root, 'libs'));
    expect(Object.keys(imports).sort()).toEqual(libraries.map((lib) => `#${lib}/*`).sort());
    for (const lib of libraries) expect(imports[`#${lib}/*`]).toBe(`./dist/libs/${lib}/src/*`);
  });

  it('every start script and the Docker image run Node with the same heap cap', () => {
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    const cap = /--max-old-space-size=\d+/;
    const caps = ['start', 'start:api', 'start:worker'].map((name) => cap.exec(scripts[name])?.[0]);
    expect(caps[0]).toBeDefined();
    expect(caps).toEqual([caps[0], caps[0], caps[0]]);
    expect(read('Dockerfile')).toContain(`ENV NODE_OPTIONS=${caps[0]}`);
  });

  it('a process that dies is started again: every compose service restarts, the documented systemd unit on failure', () => {
    const compose = read('docker-compose.yml');
    const services = compose.slice(compose.indexOf('\nservices:'), compose.indexOf('\nvolumes:'));
    const names = [...services.matchAll(/^ {2}([a-z-]+):$/gm)].map((m) => m[1]);
    expect(names).toEqual(expect.arrayContaining(['api', 'worker', 'postgres', 'redis', 'kurrentdb']));
    const blocks = services.split(/^ {2}(?=[a-z-]+:$)/m).slice(1);
    // The api and worker take theirs from the shared &service block.
    const shared = /x-service: &service\n(?: {2}.*\n)*? {2}restart: unless-stopped\n/.test(compose);
    for (const block of blocks) expect([block.split(':')[0], /restart: unless-stopped|<<: \*service/.test(block)]).toEqual([block.split(':')[0], true]);
    expect(shared).toBe(true);
    const unit = /```ini\n([^`]*\[Service\][^`]*)```/.exec(read('docs/operations.md'))?.[1] ?? '';
    expect(unit).toMatch(/^ *Restart=on-failure$/m);
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(unit).toContain(/--max-old-space-size=\d+/.exec(scripts.start)![0]);
  });
});
