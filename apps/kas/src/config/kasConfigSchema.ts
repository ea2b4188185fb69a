import { hostname } from 'node:os';
import { duration, hostPort } from '@kas/config';
import { formatDuration } from '@kas/core';
import { z } from 'zod';
import { KasAppError } from '../errors/KasAppError.js';
import { observabilityConfigSchema } from '../observability/observabilityModule.js';
import { BUILT_IN_SECTIONS } from './builtInSections.js';
import type { KasSection } from './KasSection.js';
import { overridesSchema } from './overridesSchema.js';
import { yamlText } from './yamlText.js';

const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

const observabilityKeys = observabilityConfigSchema.shape;

/** The keys of kas.yaml that belong to the app rather than to a module's section. */
export const appSettingsShape = {
  replica: z
    .strictObject({
      id: yamlText()
        .default(hostname())
        .meta({ defaultText: 'the hostname' })
        .describe('Unique among the replicas sharing one tunnel directory (the pod name).'),
    })
    .prefault({}),
  log: z.strictObject({ level: logLevel.default('info').describe('The pino log level.') }).prefault({}),
  shutdownDeadline: duration()
    .refine((deadlineMs) => deadlineMs > 0, {
      error:
        "must be longer than 0: a deadline of 0 cuts every drain the moment the stop begins. Leave it out for the stop plan's worst case plus 10 s, or set it just under the pod's terminationGracePeriodSeconds",
    })
    .optional()
    .meta({ defaultText: "the stop plan's worst case plus 10 s" })
    .describe("Bounds the whole stop; set it just under the pod's `terminationGracePeriodSeconds`."),
  modules: z
    .array(z.string().min(1, 'give a package name or a path'))
    .readonly()
    .default([])
    .meta({ defaultText: 'none' })
    .describe(
      "Modules to load besides kas's own: package names (resolved from this file's directory) or paths, which start with `./` or `../` (relative to this file's directory) or `/` (`extra/stats.mjs` is a package name; write `./extra/stats.mjs`). Each package's default export is a module, a list of modules, or a factory that takes its config section; a factory's package also exports `configKey` (its key in this file) and `configSchema` (zod). See docs/write-a-module.md. In the environment, a YAML or JSON list that replaces the file's: `KAS_MODULES='[\"@acme/kas-audit-sink\", ./extra]'` (a package name that starts with `@` needs its quotes in YAML).",
    ),
  overrides: overridesSchema,
  // Not a section: observability stops after every other module (it declares stop: { last: true }).
  observability: z
    .strictObject({
      listen: hostPort()
        .prefault('127.0.0.1:8151')
        .describe('Where `/metrics`, `/readiness` and `/liveness` are served.'),
      debug: z
        .boolean()
        .default(false)
        .describe(
          'Also serve the live lifecycle view: `/debug/lifecycle` (the stop plan and every stage and module now, JSON), `/debug/lifecycle/events` (Server-Sent Events) and the page `/debug/lifecycle/ui/`. Read-only and free of secrets, but it shows the module graph: keep the listener internal.',
        ),
      headersTimeout: observabilityKeys.headersTimeout,
      requestTimeout: observabilityKeys.requestTimeout,
      keepAliveTimeout: observabilityKeys.keepAliveTimeout,
    })
    .prefault({}),
};

type SectionsShape<T extends readonly KasSection[]> = { [S in T[number] as S['key']]: S['schema'] };

/**
 * The kas config schema: the app settings and one key per section. Built-in sections and sections of
 * loaded modules are assembled alike; a key claimed twice throws `KAS_CONFIG_INVALID`.
 */
export function assembleKasConfigSchema<const T extends readonly KasSection[]>(sections: T) {
  const { observability, ...leading } = appSettingsShape;
  const shape: Record<string, z.ZodType> = { ...leading };
  for (const section of [...sections, { key: 'observability', schema: observability }]) {
    if (section.key in shape) {
      throw new KasAppError(
        'KAS_CONFIG_INVALID',
        `the kas.yaml key "${section.key}" is claimed twice`,
        'give each section (a loaded module) a key of its own',
      );
    }
    shape[section.key] = section.schema;
  }
  return z.strictObject(shape as typeof appSettingsShape & SectionsShape<T>);
}

/**
 * The kas config file (`kas --config kas.yaml`) with the built-in sections, every key overridable by a
 * `KAS_*` environment variable. Secrets are never values here, only paths of files that hold them.
 */
export const kasConfigSchema = assembleKasConfigSchema(BUILT_IN_SECTIONS).superRefine(checkDrainBudgets);

/** The checks across sections, which no one section's schema can make; `composeFromConfig` applies them too. */
export function checkDrainBudgets(
  {
    agentGrpc,
    kubeProxy,
    privateApi,
  }: z.output<ReturnType<typeof assembleKasConfigSchema<typeof BUILT_IN_SECTIONS>>>,
  context: z.RefinementCtx,
): void {
  // Tunnels cut before the user-traffic drains end break the requests on them (watches end without
  // their last chunk); the default (the longer drain plus 10 s) never is.
  const drainBudget = agentGrpc.drainBudget;
  const [longerKey, longerMs] =
    kubeProxy.drainBudget >= privateApi.drainBudget
      ? ['kubeProxy.drainBudget', kubeProxy.drainBudget]
      : ['privateApi.drainBudget', privateApi.drainBudget];
  if (drainBudget !== undefined && drainBudget < longerMs) {
    context.addIssue({
      code: 'custom',
      path: ['agentGrpc', 'drainBudget'],
      message: `${formatDuration(drainBudget)} is shorter than ${longerKey} (${formatDuration(longerMs)}): busy tunnels would be cut while the requests on them still drain. Leave it out (default: the longer of kubeProxy.drainBudget and privateApi.drainBudget plus 10 s) or set it at least ${formatDuration(longerMs + 10_000)}`,
    });
  }
}

/** The validated kas config; durations are milliseconds. */
export type KasConfig = z.output<typeof kasConfigSchema>;
