import type { PlannedModule } from '@kas/core';
import { defineLintRule } from '../defineLintRule.js';
import { stopSetByNote } from '../stopSetBy.js';

/**
 * A module whose factory received a provider's DI token uses that provider while it runs and while it
 * drains; it must not begin its stop only after the provider has stopped.
 */
export const outlivesDependency = defineLintRule({
  code: 'KAS_OUTLIVES_DEPENDENCY',
  title: 'outlives a dependency',
  severity: 'error',
  summary: 'a module begins its stop only after a module whose DI token it needs has stopped',
  rationale:
    'A module that needs a token (a Redis client, a registry) uses what it got while it serves and while it drains. ' +
    'By default it stops before its providers; a declaration that reverses this (stop: { after: [provider] }, stop: { last: true } on a module whose providers do not declare last, or an override) ' +
    'lets it run on after the provider has closed: every use then fails. The module that stops after everything else must not need anything that stops before it.',
  example: [
    "reporter = defineModule({ name: 'reporter', needs: { redis: RedisToken }, stop: { last: true }, ... })",
    "redisConnection = defineModule({ name: 'redis-connection', provides: { redis: RedisToken }, ... }) // no last",
    '-> "reporter" needs redis-connection.client of "redis-connection" but begins its stop only after "redis-connection" has stopped',
  ].join('\n'),
  fix: 'drop the relation that makes the module wait for its provider (let the default stop it first), or make the provider stop after it (stop: { last: true } on the provider)',
  *check(graph) {
    for (const module of graph.plan.modules) {
      for (const dependency of module.startAfter) {
        if (dependency.reason !== 'needs' || !graph.stopsAfter(module.name, dependency.module)) continue;
        yield {
          message: `"${module.name}" needs ${dependency.token ?? 'a token'} of "${dependency.module}" but begins its stop only after "${dependency.module}" has stopped: its work uses what is gone`,
          fix: `let "${module.name}" stop before "${dependency.module}": ${whatOrdersItLater(module, graph.module(dependency.module))}`,
          modules: [module.name, dependency.module],
        };
      }
    }
  },
});

/**
 * What to change so that `module` stops before `provider`, from what the two declare (overrides
 * included), never suggesting what is already declared. In the plan, a `last` module's `after` also lists
 * every module that does not declare `last`; a `last` provider there was named by the module itself.
 */
function whatOrdersItLater(module: PlannedModule, provider: PlannedModule): string {
  const isLast = module.stop.last === true;
  const isProviderLast = provider.stop.last === true;
  const where = stopSetByNote(module);
  const isNamed = module.stop.after?.includes(provider.name) === true;
  if (isLast && isProviderLast && isNamed) {
    return `remove "${provider.name}" from the stop.after of "${module.name}"${where}: both declare last, and among last modules the default stops "${module.name}" first, since it needs "${provider.name}"`;
  }
  if (isLast && !isProviderLast) {
    return `declare stop: { last: true } on "${provider.name}" too, without naming it in the stop.after of "${module.name}" (among last modules the default stops "${module.name}" first); or drop last from the stop of "${module.name}"${where}`;
  }
  if (isNamed) return `remove "${provider.name}" from the stop.after of "${module.name}"${where}`;
  return `drop the stop relation (a stop.after or stop.with of "${module.name}" or of a module it stops after) that orders it after "${provider.name}"`;
}
