import { createHash } from 'node:crypto';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ArtifactLocation, Log, ReportingDescriptor, Result } from 'sarif';
import type { LintRule } from '../../lint/LintRule.js';
import type { CliFailure } from '../CliFailure.js';
import { sentence } from '../text/sentence.js';
import type { LintReport } from './LintReport.js';

/** What SARIF needs beyond the report: the rules' texts and where the entry file is. */
export interface SarifContext {
  readonly rules: readonly LintRule[];
  /** The imported entry file; results without a location of their own point at it. */
  readonly file: string;
  /** The directory SARIF paths are relative to (`SRCROOT`): the current directory. */
  readonly cwd: string;
}

/** Builds a SARIF 2.1.0 log of a lint report, for code-scanning UIs. */
export function toSarif(report: LintReport, context: SarifContext): Log {
  const applied = new Map(report.rules.map((rule) => [rule.code, rule]));
  const rules = context.rules.filter((rule) => applied.has(rule.code));
  const descriptors: ReportingDescriptor[] = rules.map((rule) => ({
    id: rule.code,
    name: pascalCase(rule.title),
    shortDescription: { text: rule.summary },
    fullDescription: { text: rule.rationale },
    help: {
      text: `${rule.fix}\n\nExample:\n${rule.example}`,
      markdown: `${rule.fix}\n\nExample:\n\n\`\`\`\n${rule.example}\n\`\`\`\n\nMore: \`kas-graph explain ${rule.code}\``,
    },
    defaultConfiguration: { level: rule.severity === 'error' ? 'error' : 'warning' },
    properties: { source: applied.get(rule.code)?.source ?? 'core' },
  }));
  const index = new Map(rules.map((rule, position) => [rule.code, position]));
  const toLocation = (file: string) => artifactLocation(file, context.cwd);
  const entryLocation = toLocation(context.file);
  const results: Result[] = report.findings.map((finding) => ({
    ruleId: finding.code,
    ruleIndex: index.get(finding.code) ?? -1,
    level: finding.severity === 'error' ? 'error' : 'warning',
    message: { text: `${sentence(finding.message)} Fix: ${finding.fix}` },
    locations: [
      {
        physicalLocation:
          finding.location === undefined
            ? { artifactLocation: entryLocation, region: { startLine: 1 } }
            : {
                artifactLocation: toLocation(finding.location.file),
                region: { startLine: finding.location.line, startColumn: finding.location.column },
              },
        logicalLocations: finding.modules.map((module) => ({ name: module, kind: 'module' })),
      },
    ],
    ...(finding.configLocation === undefined
      ? {}
      : {
          relatedLocations: [
            {
              id: 1,
              message: { text: `the modules: entry that loads "${finding.modules[0]}"` },
              physicalLocation: {
                artifactLocation: toLocation(finding.configLocation.file),
                region: {
                  startLine: finding.configLocation.line,
                  startColumn: finding.configLocation.column,
                },
              },
            },
          ],
        }),
    partialFingerprints: {
      'kasGraphFinding/v1': createHash('sha256')
        .update(`${report.entry}\u0000${finding.code}\u0000${finding.modules.join('\u0000')}`)
        .digest('hex'),
    },
  }));
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'kas-graph',
            version: report.tool.version,
            rules: descriptors,
          },
        },
        originalUriBaseIds: { SRCROOT: { uri: `${pathToFileURL(context.cwd).href}/` } },
        artifacts: [
          ...new Map(
            [
              entryLocation,
              ...report.findings.flatMap((finding) =>
                [finding.location, finding.configLocation].flatMap((location) =>
                  location === undefined ? [] : [toLocation(location.file)],
                ),
              ),
            ].map((location) => [`${location.uriBaseId ?? ''} ${location.uri}`, location]),
          ).values(),
        ].map((location) => ({ location })),
        results,
        invocations: [{ executionSuccessful: true }],
        properties: { entry: report.entry },
      },
    ],
  };
}

/**
 * The SARIF log of a run that failed before it could lint: no results, and one invocation that did not
 * succeed, with the failure as its tool execution notification (the stack only with `--debug`).
 */
export function toFailedSarif(
  failure: CliFailure,
  context: { readonly entry: string; readonly version: string },
): Log {
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'kas-graph', version: context.version, rules: [] } },
        results: [],
        invocations: [
          {
            executionSuccessful: false,
            toolExecutionNotifications: [
              {
                level: 'error',
                descriptor: { id: failure.code },
                message: { text: `${failure.code}: ${sentence(failure.message)} Fix: ${failure.fix}` },
                properties: {
                  isInternal: failure.isInternal,
                  ...(failure.stack === undefined ? {} : { stack: failure.stack }),
                },
              },
            ],
          },
        ],
        properties: { entry: context.entry },
      },
    ],
  };
}

/**
 * Where a file is, as SARIF wants it (§3.4.4): inside the current directory, a relative reference
 * against `SRCROOT` (the current directory), percent-encoded; outside it, an absolute `file://` URI, not
 * a `../` reference climbing out of its base. A location that is a URI already (`node:...`) stays one.
 */
function artifactLocation(file: string, cwd: string): ArtifactLocation {
  if (/^[a-z][a-z0-9+.-]+:/i.test(file) && !isAbsolute(file)) return { uri: file };
  const absolute = resolve(cwd, file);
  const inside = relative(cwd, absolute);
  if (inside === '' || inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) {
    return { uri: pathToFileURL(absolute).href };
  }
  return {
    uri: inside
      .split(sep)
      .map((segment) => encodeURIComponent(segment))
      .join('/'),
    uriBaseId: 'SRCROOT',
  };
}

function pascalCase(title: string): string {
  return title
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word[0]?.toUpperCase() + word.slice(1))
    .join('');
}
