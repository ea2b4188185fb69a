// API reports of the library packages (packages/*): one `api/<name>.api.md` per entry of a package's
// `exports` (`core.api.md`, `core-analysis.api.md`, ...), made by Microsoft API Extractor from the built
// .d.ts files, so a change to a public API shows in review. Every exported name must have TSDoc.
//
//   node scripts/apiReport.mjs            check (npm test): fails when a report is stale or a name undocumented
//   node scripts/apiReport.mjs --update   rewrite the reports (npm run api:update), after npm run build
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CompilerState, Extractor, ExtractorConfig, ExtractorLogLevel } from '@microsoft/api-extractor';

const root = fileURLToPath(new URL('..', import.meta.url));
const isUpdate = process.argv.includes('--update');
const UPDATE_COMMAND = 'npm run api:update';

/** Every typed entry point of every package under packages/, with the report file it gets. */
function entryPoints() {
  const entries = [];
  for (const directory of readdirSync(join(root, 'packages')).sort()) {
    const packageFolder = join(root, 'packages', directory);
    const packageJsonPath = join(packageFolder, 'package.json');
    if (!existsSync(packageJsonPath)) continue;
    const { exports = {} } = JSON.parse(readFileSync(packageJsonPath, 'utf8'));
    for (const [subpath, target] of Object.entries(exports)) {
      const types = typeof target === 'object' && target !== null ? target.types : undefined;
      if (typeof types !== 'string' || !types.endsWith('.d.ts') || subpath.includes('*')) continue;
      const suffix = subpath === '.' ? '' : `-${subpath.slice(2).replaceAll('/', '-')}`;
      entries.push({
        packageFolder,
        packageJsonPath,
        entryPath: join(packageFolder, types),
        reportName: `${directory}${suffix}`,
      });
    }
  }
  return entries;
}

const sourceLines = new Map();

/**
 * Whether an undocumented item is an exported name itself (its source line starts with `export`), not a
 * member of one, and is hand-written: generated protobuf code is documented by its .proto files.
 */
function isExportedDeclaration(message) {
  const file = message.sourceFilePath;
  if (file === undefined || file.includes('/src/generated/')) return false;
  if (!sourceLines.has(file)) sourceLines.set(file, readFileSync(file, 'utf8').split('\n'));
  return /^export\s/.test(sourceLines.get(file)[(message.sourceFileLine ?? 1) - 1] ?? '');
}

function prepare(entry, tempFolder) {
  return ExtractorConfig.prepare({
    configObject: {
      projectFolder: entry.packageFolder,
      mainEntryPointFilePath: entry.entryPath,
      compiler: {
        // Only the built .d.ts files and what they import: the sources are not part of the analysis.
        overrideTsconfig: {
          compilerOptions: {
            target: 'ES2022',
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            skipLibCheck: true,
            types: ['node'],
          },
          files: [entry.entryPath],
        },
      },
      apiReport: {
        enabled: true,
        reportFileName: entry.reportName,
        reportFolder: join(entry.packageFolder, 'api'),
        reportTempFolder: tempFolder,
      },
      docModel: { enabled: false },
      dtsRollup: { enabled: false },
      tsdocMetadata: { enabled: false },
      newlineKind: 'lf',
      messages: {
        compilerMessageReporting: { default: { logLevel: 'warning' } },
        extractorMessageReporting: {
          default: { logLevel: 'warning' },
          // Release tags (@public, @beta) are not used here: every exported name is public.
          'ae-missing-release-tag': { logLevel: 'none' },
          // Shown in the report for review (generated protobuf code has unexported helper types).
          'ae-forgotten-export': { logLevel: 'none', addToApiReportFile: true },
          'ae-undocumented': { logLevel: 'warning', addToApiReportFile: false },
        },
        // TSDoc's own syntax rules (e.g. an "@" in prose) are not enforced; that a name has TSDoc is.
        tsdocMessageReporting: { default: { logLevel: 'none' } },
      },
    },
    configObjectFullPath: undefined,
    packageJsonFullPath: entry.packageJsonPath,
  });
}

const entries = entryPoints();
const tempFolder = mkdtempSync(join(tmpdir(), 'kas-api-report-'));
const startedAt = performance.now();
const problems = [];
const stale = [];
try {
  if (isUpdate) for (const entry of entries) mkdirSync(join(entry.packageFolder, 'api'), { recursive: true });
  const configs = entries.map((entry) => ({ entry, config: prepare(entry, tempFolder) }));
  // One TypeScript program for every entry: analysing them together is several times faster.
  const [first] = configs;
  const compilerState = CompilerState.create(first.config, {
    additionalEntryPoints: entries.map((entry) => entry.entryPath),
  });
  for (const { entry, config } of configs) {
    const messages = [];
    const result = Extractor.invoke(config, {
      localBuild: isUpdate,
      compilerState,
      messageCallback: (message) => {
        message.handled = true;
        // API Extractor's own progress notes ("report created", "report changed"): the outcome is checked below.
        if (message.messageId.startsWith('console-')) return;
        if (message.messageId === 'ae-undocumented' && !isExportedDeclaration(message)) return;
        if (message.logLevel === ExtractorLogLevel.Warning || message.logLevel === ExtractorLogLevel.Error) {
          const where = message.sourceFilePath
            ? `${relative(root, message.sourceFilePath)}:${message.sourceFileLine}: `
            : '';
          messages.push(`  ${where}${message.messageId}: ${message.text}`);
        }
      },
    });
    if (messages.length > 0) problems.push(`${entry.reportName}:\n${messages.join('\n')}`);
    if (!isUpdate && result.apiReportChanged) stale.push(relative(root, config.reportFilePath));
  }
} finally {
  rmSync(tempFolder, { recursive: true, force: true });
}

const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
if (problems.length > 0) {
  process.stderr.write(
    `API reports: problems in the public API (every exported name needs TSDoc; an exported type must not use an unexported one):\n${problems.join('\n')}\n`,
  );
}
if (stale.length > 0) {
  process.stderr.write(
    `API reports: the public API changed and these reports are out of date:\n${stale.map((file) => `  ${file}`).join('\n')}\nIf the change is intended, run \`${UPDATE_COMMAND}\` (after npm run build) and commit the .api.md files with it.\n`,
  );
}
if (problems.length > 0 || stale.length > 0) {
  process.exitCode = 1;
} else {
  process.stdout.write(
    `API reports: ${entries.length} entry points of ${new Set(entries.map((entry) => entry.packageFolder)).size} packages ${isUpdate ? 'written' : 'up to date'} (${seconds} s)\n`,
  );
}
