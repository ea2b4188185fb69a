import type { Command } from 'commander';
import { deploymentLintRules } from '../../manifests/deploymentLintRules.js';
import type { CliIo } from '../CliIo.js';
import { KAS_GRAPH_EXIT_CODES } from '../exitCodes.js';
import { formatExplain } from '../formatExplain.js';
import { findRule, loadLintSetup } from '../lint/loadLintSetup.js';

/** `kas-graph explain <CODE>`: what a rule protects against, an example, and the fix. */
export function addExplainCommand(program: Command, io: CliIo, exit: (code: number) => void): void {
  program
    .command('explain')
    .description('what a rule protects against, an example, and the fix')
    .argument('<code>', 'a rule code, e.g. KAS_ADVERTISE_ACCEPT_SPLIT')
    .option(
      '--config <file>',
      "config file whose plugins' rules to include (default: the nearest kas-graph.config.json from here up)",
    )
    .action(async (code: string, options: { readonly config?: string }) => {
      const setup = await loadLintSetup(io.cwd, options.config, io.cwd);
      const rule = findRule({ ...setup, rules: [...setup.rules, ...deploymentLintRules()] }, code);
      io.write(formatExplain(rule, setup.sources.get(rule.code) ?? 'core'));
      exit(KAS_GRAPH_EXIT_CODES.clean);
    });
}
