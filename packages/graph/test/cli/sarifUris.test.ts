import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LintReport } from '../../src/cli/lint/LintReport.js';
import { toSarif } from '../../src/cli/lint/toSarif.js';
import type { LintFinding } from '../../src/lint/LintRule.js';
import { assertBuilt, packageDirectory, runKasGraph } from './runKasGraph.js';
import { sarifValidator } from './schemas.js';

/** Every artifact URI of a SARIF run, with its base, as a consumer resolves it. */
function resolvedUris(run: {
  readonly originalUriBaseIds?: Record<string, { uri: string }>;
  readonly results: readonly {
    readonly locations: readonly {
      readonly physicalLocation: { readonly artifactLocation: { uri: string; uriBaseId?: string } };
    }[];
    readonly relatedLocations?: readonly {
      readonly physicalLocation: { readonly artifactLocation: { uri: string; uriBaseId?: string } };
    }[];
  }[];
  readonly artifacts: readonly { readonly location: { uri: string; uriBaseId?: string } }[];
}): { uri: string; uriBaseId?: string; resolved: string }[] {
  const locations = [
    ...run.results.flatMap((result) => [
      ...result.locations.map((location) => location.physicalLocation.artifactLocation),
      ...(result.relatedLocations ?? []).map((location) => location.physicalLocation.artifactLocation),
    ]),
    ...run.artifacts.map((artifact) => artifact.location),
  ];
  return locations.map((location) => {
    const base = location.uriBaseId === undefined ? undefined : run.originalUriBaseIds?.[location.uriBaseId];
    return { ...location, resolved: new URL(location.uri, base?.uri).href };
  });
}

const finding = (file: string, configFile?: string): LintFinding => ({
  code: 'KAS_ORPHAN_TAG',
  severity: 'warn',
  message: 'a tag nobody uses',
  fix: 'use it',
  modules: ['web'],
  location: { file, line: 3, column: 5 },
  ...(configFile === undefined ? {} : { configLocation: { file: configFile, line: 2, column: 3 } }),
});

const report = (findings: readonly LintFinding[]): LintReport => ({
  schemaVersion: 1,
  tool: { name: 'kas-graph', version: '0.0.0' },
  entry: 'app.ts',
  passed: true,
  summary: { errors: 0, warnings: findings.length, maxWarnings: null },
  findings,
  rules: [],
});

describe('SARIF artifact URIs', () => {
  const cwd = '/work/repo';

  it('writes a file inside the current directory relative to SRCROOT, percent-encoded; one outside as an absolute file:// URI (it wrote ../ paths and raw spaces)', () => {
    const log = toSarif(
      report([
        finding('/work/repo/src/my app/#1 module.ts', '/work/repo/kas.yaml'),
        finding('/work/shared/modules/audit.ts', '/etc/kas/kas config.yaml'),
        finding('relative/inside.ts'),
        finding('../sibling/outside.ts'),
      ]),
      { rules: [], file: '/work/repo/app.ts', cwd },
    );
    expect(sarifValidator()(log)).toEqual([]);
    const [run] = log.runs as unknown as Parameters<typeof resolvedUris>[0][];
    const uris = resolvedUris(run as Parameters<typeof resolvedUris>[0]);
    for (const { uri, uriBaseId } of uris) {
      // a relative reference never climbs out of its base; anything else is an absolute file URI
      if (uriBaseId === undefined) expect(uri).toMatch(/^file:\/\/\//);
      else expect(uri).not.toMatch(/^\.\.|^\/|^[a-z]+:/i);
      expect(uri).not.toMatch(/ /);
    }
    expect(uris.map(({ resolved }) => resolved)).toEqual(
      expect.arrayContaining([
        'file:///work/repo/src/my%20app/%231%20module.ts',
        'file:///work/repo/kas.yaml',
        'file:///work/shared/modules/audit.ts',
        'file:///etc/kas/kas%20config.yaml',
        'file:///work/repo/relative/inside.ts',
        'file:///work/sibling/outside.ts',
      ]),
    );
    expect(run?.results[1]?.locations[0]?.physicalLocation.artifactLocation).toEqual({
      uri: 'file:///work/shared/modules/audit.ts',
    });
    expect(run?.results[0]?.locations[0]?.physicalLocation.artifactLocation).toEqual({
      uri: 'src/my%20app/%231%20module.ts',
      uriBaseId: 'SRCROOT',
    });
  });
});

describe('SARIF of kas-graph lint run from a directory the entry is not in, run as a process', () => {
  beforeAll(assertBuilt);

  it('points at the entry with an absolute file:// URI', async () => {
    const cwd = join(packageDirectory, 'test/fixtures/kas-config');
    const run = await runKasGraph(['lint', '../kas-app/kasApp.ts#legacy', '--format', 'sarif'], cwd);
    expect(run.code).toBe(1);
    const log = JSON.parse(run.stdout);
    expect(sarifValidator()(log)).toEqual([]);
    const entry = pathToFileURL(join(packageDirectory, 'test/fixtures/kas-app/kasApp.ts')).href;
    expect(log.runs[0].results[0].locations[0].physicalLocation.artifactLocation).toEqual({ uri: entry });
    expect(log.runs[0].artifacts).toContainEqual({ location: { uri: entry } });
  });
});
