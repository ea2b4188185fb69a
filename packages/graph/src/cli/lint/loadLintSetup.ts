import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { KAS_LINT_RULES } from '../../lint/coreLintRules.js';
import type { LintRule, LintSetting } from '../../lint/LintRule.js';
import { isStructuralCode } from '../../lint/rules/structuralRules.js';
import { CliError } from '../CliError.js';
import { findConfig, type KasGraphConfig, loadConfig } from '../load/loadConfig.js';
import { loadPlugins } from '../load/loadPlugins.js';

/** The rules of a run, where each came from, and the config they were read with. */
export interface LintSetup {
  readonly config: KasGraphConfig;
  /** Core rules first, then the plugins' in config order. */
  readonly rules: readonly LintRule[];
  /** The plugin each non-core rule came from, by code. */
  readonly sources: ReadonlyMap<string, string>;
}

/**
 * Reads the config (`--config`, else the nearest kas-graph.config.json from `searchFrom` up) and
 * loads its plugins' rules.
 */
export async function loadLintSetup(
  cwd: string,
  configOption: string | undefined,
  searchFrom: string,
): Promise<LintSetup> {
  let configPath: string | undefined;
  if (configOption !== undefined) {
    configPath = resolve(cwd, configOption);
    if (!existsSync(configPath)) {
      throw new CliError(
        'KAS_GRAPH_CONFIG_INVALID',
        `${configOption} does not exist`,
        'give the path of a kas-graph.config.json',
      );
    }
  } else {
    configPath = findConfig(searchFrom);
  }
  const config = loadConfig(configPath);
  const plugins = configPath === undefined ? [] : await loadPlugins(config.plugins, configPath);
  return {
    config,
    rules: [...KAS_LINT_RULES, ...plugins.map((plugin) => plugin.rule)],
    sources: new Map(plugins.map((plugin) => [plugin.rule.code, plugin.source])),
  };
}

/** Merges config and command-line severities (the command line wins), checking every code is a known rule. */
export function mergeSettings(
  setup: LintSetup,
  fromCommandLine: Readonly<Record<string, LintSetting>>,
): Record<string, LintSetting> {
  const codes = new Set(setup.rules.map((rule) => rule.code));
  const check = (settings: Readonly<Record<string, LintSetting>>, where: string) => {
    for (const [code, setting] of Object.entries(settings)) {
      if (!codes.has(code)) {
        throw new CliError(
          'KAS_GRAPH_UNKNOWN_RULE',
          `${where} names ${code}, which is not a rule (rules: ${[...codes].join(', ')})`,
          'correct the code, or list the plugin that defines it in kas-graph.config.json',
        );
      }
      if (isStructuralCode(code) && setting !== 'error') {
        throw new CliError(
          'KAS_GRAPH_USAGE',
          `${where} sets ${code} to ${setting}, but structural rules stay errors: createApp refuses such a graph`,
          `remove the setting for ${code} and fix the graph`,
        );
      }
    }
  };
  check(setup.config.rules, setup.config.path ?? 'the config');
  check(fromCommandLine, '--rule');
  return { ...setup.config.rules, ...fromCommandLine };
}

/** The rule with a code, or `KAS_GRAPH_UNKNOWN_RULE` listing the known codes. */
export function findRule(setup: LintSetup, code: string): LintRule {
  const rule = setup.rules.find((candidate) => candidate.code === code.toUpperCase());
  if (rule !== undefined) return rule;
  throw new CliError(
    'KAS_GRAPH_UNKNOWN_RULE',
    `${code} is not a rule (rules: ${setup.rules.map((candidate) => candidate.code).join(', ')})`,
    'give one of the codes listed; a rule of a module that kas.yaml loads: kas-graph explain <CODE> --config kas.yaml; of a plugin: list it in kas-graph.config.json',
  );
}
