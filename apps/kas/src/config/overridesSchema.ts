import { duration, text } from '@kas/config';
import type { ModuleOverride } from '@kas/core';
import { z } from 'zod';

/** Module names, as a declaration lists them (`[kube-proxy, tunnel-tracker]`). */
const moduleNames = () => z.array(text()).readonly();

/** A stop declaration as a module writes it (`@kas/core`'s `StopDeclaration`), in kas.yaml. */
const stopDeclarationSchema = z.strictObject({
  with: moduleNames().optional(),
  alongside: moduleNames().optional(),
  after: moduleNames().optional(),
  last: z.boolean().optional(),
});

/** One entry of `overrides:`: what replaces a module's own declaration (`@kas/core`'s `ModuleOverride`). */
const moduleOverrideSchema = z.strictObject({
  drainBudget: duration().optional(),
  startBudget: duration().optional(),
  stop: stopDeclarationSchema.optional(),
});

/**
 * kas.yaml's `overrides:`, by module name: an operator's changes to any module's budgets and stop
 * relations, built-in or loaded, without editing it. The names are checked once the modules are composed
 * (`applyOverrides`), since `modules:` decides which there are.
 */
export const overridesSchema = z
  .record(text(), moduleOverrideSchema)
  .default({})
  .meta({ typeLabel: 'map of module name to { drainBudget, startBudget, stop }', defaultText: 'none' })
  .describe(
    "Changes to any module's lifecycle, built-in or loaded, without editing it. Under a module's name: `drainBudget` and `startBudget` (durations) replace the module's own; `stop` (`with`, `alongside`, `after`: lists of module names; `last: true`) replaces its whole stop declaration, so name every relation to keep, `last: true` included, and `stop: {}` is the default order. Every name must be a module of this kas. The drain budgets of `agent-grpc-server`, `tunnel-tracker`, `kube-proxy` and `private-api` have keys of their own (`agentGrpc.drainBudget`, ...): set those instead. With `--legacy-stop-order`, an entry may not set the `stop` of a module that order reorders. `kas-graph lint --config kas.yaml` lints the graph with the overrides applied; a problem an entry's `stop` causes names the entry and its line (`\"tunnel-tracker\" (its stop set by overrides.tunnel-tracker.stop (kas.yaml:14:11)) declares after: ...`). In the environment, a YAML mapping: `KAS_OVERRIDES='{audit-sink: {drainBudget: 2m}}'`.",
  );

/** The validated `overrides:`: durations are milliseconds, and each entry is a `ModuleOverride`. */
export type KasOverrides = Readonly<Record<string, ModuleOverride>>;
