import { dirname, isAbsolute } from 'node:path';
import { checkLintRule } from '../../lint/defineLintRule.js';
import type { LintRule } from '../../lint/LintRule.js';
import { CliError } from '../CliError.js';
import { importModule, importPackage } from './importModule.js';
import { resolveEntryFile } from './resolveEntryFile.js';
import { withoutRequireStack } from './withoutRequireStack.js';

/** A rule and where it came from: `core`, or the plugin as the config file names it. */
export interface SourcedRule {
  readonly rule: LintRule;
  readonly source: string;
}

/** How `loadPlugins` treats its list. */
export interface LoadPluginsOptions {
  /**
   * True for the `modules:` entries of a kas.yaml: a module package may ship rules as `kasGraphRules`
   * beside its default export, and one without them is not an error.
   */
  readonly isOptional?: boolean;
  /** How a rule's source is shown (default: the plugin as written). */
  readonly sourceOf?: (plugin: string) => string;
  /** Rules already loaded: the same rule again (one package listed twice) is skipped, another with its code clashes. */
  readonly known?: readonly SourcedRule[];
}

/**
 * Loads the `kasGraphRules` export of each plugin. A plugin is a package name (resolved from the
 * config file's directory) or a path relative to the config file. Plugin codes must not use the
 * core's `KAS_` prefix.
 */
export async function loadPlugins(
  plugins: readonly string[],
  configPath: string,
  { isOptional = false, sourceOf = (plugin) => plugin, known = [] }: LoadPluginsOptions = {},
): Promise<SourcedRule[]> {
  const rules: SourcedRule[] = [];
  for (const plugin of new Set(plugins)) {
    const fail = (problem: string, fix: string, cause?: unknown): never => {
      throw new CliError('KAS_GRAPH_PLUGIN_INVALID', `plugin "${plugin}" (${configPath}): ${problem}`, fix, {
        cause,
      });
    };
    let exports: Record<string, unknown>;
    try {
      exports =
        plugin.startsWith('.') || isAbsolute(plugin)
          ? await importModule(resolveEntryFile(plugin, dirname(configPath)))
          : await importPackage(plugin, configPath);
    } catch (error) {
      exports = fail(
        `cannot be loaded: ${withoutRequireStack(error)}`,
        'install the package next to the config file, or give a path starting with ./ relative to it',
        error,
      );
    }
    const exported = exports.kasGraphRules;
    if (isOptional && exported === undefined) continue;
    if (!Array.isArray(exported)) {
      fail(
        'has no kasGraphRules export (an array of rules)',
        'export const kasGraphRules: LintRule[] = [{ code, title, severity, ... }] (plain objects typed with `import type { LintRule }`, or made with defineLintRule)',
      );
    }
    for (const rule of exported as LintRule[]) {
      try {
        checkLintRule(rule);
      } catch (error) {
        fail(
          (error as Error).message,
          (error as { fix?: string }).fix ?? 'give each rule as an object with the fields of LintRule',
          error,
        );
      }
      if (rule.code.startsWith('KAS_')) {
        fail(
          `rule ${rule.code} uses the core's KAS_ prefix`,
          "prefix plugin rule codes with the plugin's own name",
        );
      }
      const clash = [...known, ...rules].find((other) => other.rule.code === rule.code);
      if (clash?.rule === rule) continue;
      if (clash !== undefined) {
        fail(
          `rule ${rule.code} is also defined by plugin "${clash.source}"`,
          'load only one of the two plugins',
        );
      }
      rules.push({ rule, source: sourceOf(plugin) });
    }
  }
  return rules;
}
