#!/usr/bin/env node
// Build stage of the images: copies what a production install of one workspace package needs into a
// folder, and nothing else: the root package.json and package-lock.json, and for that package and every
// workspace package in its production dependency closure (`dependencies`, followed through workspaces)
// its package.json and the files it publishes (its `files`, else `dist`). The final stage then runs
// install-production.sh in that folder. The image-stage test runs both scripts, as the Dockerfiles do.
//
// Usage: node deploy/image/stage-production.mjs <workspace> <repository> <output>
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const [workspace, repositoryArgument, outputArgument] = process.argv.slice(2);
if (workspace === undefined || repositoryArgument === undefined || outputArgument === undefined) {
  process.stderr.write('usage: stage-production.mjs <workspace> <repository> <output>\n');
  process.exitCode = 2;
} else {
  const repository = resolve(repositoryArgument);
  const output = resolve(outputArgument);
  const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));
  const lock = readJson(join(repository, 'package-lock.json'));
  // The lockfile maps each workspace folder to its package; `node_modules/<name>` links point at them.
  const folders = new Map(
    Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && !path.startsWith('node_modules/') && entry.name !== undefined)
      .map(([path, entry]) => [entry.name, path]),
  );
  const closure = new Set();
  const pending = [workspace];
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    if (closure.has(name)) continue;
    const folder = folders.get(name);
    if (folder === undefined) {
      if (name === workspace) throw new Error(`${workspace} is not a workspace package of ${repository}`);
      continue; // a registry package: npm ci installs it from the lockfile
    }
    closure.add(name);
    pending.push(...Object.keys(readJson(join(repository, folder, 'package.json')).dependencies ?? {}));
  }
  mkdirSync(output, { recursive: true });
  for (const file of ['package.json', 'package-lock.json', 'deploy/image/install-production.sh']) {
    mkdirSync(dirname(join(output, file)), { recursive: true });
    cpSync(join(repository, file), join(output, file));
  }
  for (const name of [...closure].sort()) {
    const folder = folders.get(name);
    const manifest = readJson(join(repository, folder, 'package.json'));
    mkdirSync(join(output, folder), { recursive: true });
    cpSync(join(repository, folder, 'package.json'), join(output, folder, 'package.json'));
    for (const entry of manifest.files ?? ['dist']) {
      const source = join(repository, folder, entry);
      if (!existsSync(source))
        throw new Error(`${name}: ${relative(repository, source)} is missing: build first`);
      cpSync(source, join(output, folder, entry), { recursive: true });
    }
  }
  writeFileSync(join(output, 'deploy/image/staged-workspaces.txt'), `${[...closure].sort().join('\n')}\n`);
  process.stdout.write(`staged ${workspace} and ${closure.size - 1} workspace packages in ${output}\n`);
}
