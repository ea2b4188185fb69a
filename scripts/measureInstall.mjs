// What a package costs the people who depend on it: `npm pack`s a workspace package, installs the tarball
// with --omit=dev into an empty folder outside the repository (third-party dependencies come from the npm
// registry; other @kas packages it depends on are packed too), and prints the number of installed
// packages and their size on disk.
//
//   node scripts/measureInstall.mjs packages/core
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(new URL('..', import.meta.url).pathname);
const folder = resolve(root, process.argv[2] ?? 'packages/core');
const workspaceFolders = new Map();
for (const parent of ['packages', 'apps']) {
  for (const directory of readdirSync(join(root, parent))) {
    try {
      const { name } = JSON.parse(readFileSync(join(root, parent, directory, 'package.json'), 'utf8'));
      workspaceFolders.set(name, join(root, parent, directory));
    } catch {}
  }
}

const target = mkdtempSync(join(tmpdir(), 'kas-measure-install-'));
try {
  // The package and the workspace packages it depends on, packed as they would be published.
  const packed = new Map();
  const pack = (packageFolder) => {
    const manifest = JSON.parse(readFileSync(join(packageFolder, 'package.json'), 'utf8'));
    if (packed.has(manifest.name)) return;
    const output = execFileSync('npm', ['pack', '--silent', '--pack-destination', target], {
      cwd: packageFolder,
      encoding: 'utf8',
    });
    packed.set(manifest.name, join(target, output.trim().split('\n').at(-1)));
    for (const dependency of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      const dependencyFolder = workspaceFolders.get(dependency);
      if (dependencyFolder !== undefined) pack(dependencyFolder);
    }
  };
  pack(folder);
  const [name] = packed.keys();
  const overrides = Object.fromEntries(
    [...packed].map(([packageName, file]) => [packageName, `file:${file}`]),
  );
  writeFileSync(
    join(target, 'package.json'),
    JSON.stringify({ name: 'measure', private: true, dependencies: { [name]: overrides[name] }, overrides }),
  );
  execFileSync('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--ignore-scripts'], {
    cwd: target,
    stdio: 'inherit',
  });
  const lock = JSON.parse(readFileSync(join(target, 'package-lock.json'), 'utf8'));
  const installed = Object.keys(lock.packages).filter((path) => path.startsWith('node_modules/'));
  let bytes = 0;
  const walk = (path) => {
    for (const entry of readdirSync(path, { withFileTypes: true })) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) walk(child);
      else if (entry.isFile()) bytes += statSync(child).size;
    }
  };
  walk(join(target, 'node_modules'));
  const diskKiB = Number(
    execFileSync('du', ['-sk', join(target, 'node_modules')], { encoding: 'utf8' }).split('\t')[0],
  );
  console.log(
    JSON.stringify(
      {
        package: name,
        packages: installed.length,
        fileBytes: bytes,
        fileMB: Number((bytes / 1e6).toFixed(2)),
        diskMB: Number(((diskKiB * 1024) / 1e6).toFixed(2)),
        installed: installed.map((path) => path.slice('node_modules/'.length)).sort(),
      },
      null,
      2,
    ),
  );
} finally {
  rmSync(target, { recursive: true, force: true });
}
