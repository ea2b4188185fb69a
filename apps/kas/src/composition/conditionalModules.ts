import type { AnyModule } from '@kas/core';
import { redisConnectionModule } from '@kas/module-tunnel-tracker';

/**
 * A module of kas itself that kas composes only when kas.yaml asks for it, so a loaded module (or an
 * override) that names it, or needs what it provides, is told what to write rather than to load it.
 */
export interface ConditionalModule {
  readonly name: string;
  /** The tokens it provides, for a loaded module that needs one of them. */
  readonly provides: readonly symbol[];
  /** What it is and when kas composes it: `kas's own module ..., composed only when ...`. */
  readonly composedWhen: string;
  /** What to write in kas.yaml to have it. */
  readonly howToAdd: string;
}

/** A declaration only (nothing connects): what `redis:` makes, read for its name and what it provides. */
const redisConnection: AnyModule = redisConnectionModule({ url: 'redis://redis:6379' });

/** kas's own modules that exist only under a condition of kas.yaml (`redisSection` composes Redis's). */
export const CONDITIONAL_MODULES: readonly ConditionalModule[] = [
  {
    name: redisConnection.name,
    provides: Object.values<symbol>(redisConnection.provides ?? {}),
    composedWhen:
      "kas's own module for the shared tunnel directory, composed only when kas.yaml has a redis: section",
    howToAdd: 'add a redis: section to kas.yaml (url:, sentinel: or cluster:, as in kas.example.yaml)',
  },
];

/** The conditional module named `name`, when it is one. */
export function conditionalModuleNamed(name: string): ConditionalModule | undefined {
  return CONDITIONAL_MODULES.find((module) => module.name === name);
}

/** The conditional module that provides `token`, when one does. */
export function conditionalModuleProviding(token: symbol): ConditionalModule | undefined {
  return CONDITIONAL_MODULES.find((module) => module.provides.includes(token));
}
