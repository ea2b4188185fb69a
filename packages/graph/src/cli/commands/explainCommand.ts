import type { Command } from 'commander';
import { deploymentLintRules } from '../../manifests/deploymentLintRules.js';
import type { CliIo } from '../CliIo.js';
import { KAS_GRAPH_EXIT_CODES } from '../exitCodes.js';
import { formatExplain } from '../formatExplain.js';
import { findRule, loadLintSetup } from '../lint/loadLintSetup.js';
import { loadModuleRules } from '../lint/loadModuleRules.js';
import { isKasConfig, loadConfiguredGraph } from '../load/loadConfiguredGraph.js';

/** `kas-graph explain <CODE>`: what a rule protects against, an example, and the fix. */
export function addExplainCommand(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('explain')
    .description('what a rule protects against, an example, and the fix')
    .argument('<code>', 'a rule code, e.g. KAS_ADVERTISE_ACCEPT_SPLIT')
    .option(
      '--config <file>',
      "a kas.yaml (the rules of the modules it loads, as lint --config reads them), or a kas-graph.config.json whose plugins' rules to include (default: the nearest kas-graph.config.json from here up)",
    )
    .action(async (code: string, options: { readonly config?: string }) => {
      const kasConfig = isKasConfig(options.config) ? options.config : undefined;
      const setup = await loadLintSetup(io.cwd, kasConfig === undefined ? options.config : undefined, io.cwd);
      const moduleRules =
        kasConfig === undefined
          ? []
          : await loadModuleRules(await loadConfiguredGraph(undefined, kasConfig, io.cwd), setup);
      const sources = new Map([
        ...setup.sources,
        ...moduleRules.map((sourced): [string, string] => [sourced.rule.code, sourced.source]),
      ]);
      const rule = findRule(
        {
          ...setup,
          rules: [...setup.rules, ...moduleRules.map((sourced) => sourced.rule), ...deploymentLintRules()],
        },
        code,
      );
      io.write(formatExplain(rule, sources.get(rule.code) ?? 'core'));
      exit(KAS_GRAPH_EXIT_CODES.clean);
    });
}
