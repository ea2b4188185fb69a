import type { AppComposition } from '@kas/core';
import { BUILT_IN_SECTIONS } from '../config/builtInSections.js';
import { createKasModules } from '../config/createKasModules.js';
import type { KasFiles } from '../config/KasFiles.js';
import { kasConfigSchema } from '../config/kasConfigSchema.js';
import { loadConfigFile } from '../config/loadConfigFile.js';
import { KasTelemetry } from '../observability/KasTelemetry.js';
import { KasTelemetryToken } from '../observability/observabilityModule.js';
import { composeKas } from './composeKas.js';

/** A kas.yaml read elsewhere (a ConfigMap), with the environment kas would run with (a Deployment's env). */
export interface KasConfigText {
  readonly text: string;
  /** Names the text in errors, e.g. `kas.yaml of ConfigMap kas`. */
  readonly file: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** The composition kas would run with a config, and the config values a platform's settings must fit. */
export interface ConfiguredKas {
  readonly composition: AppComposition;
  /** `shutdownDeadline`, when the config sets it (otherwise the core's default applies). */
  readonly shutdownDeadlineMs?: number;
  /** The kube proxy's listen grace: how long it accepts new connections after its readiness turned false. */
  readonly listenGraceMs: number;
}

/**
 * Secrets and lists are read from files only when kas runs; the graph does not depend on them. Each file
 * reads as an empty list (unchecked: kas refuses an empty agents file) or a placeholder secret, and TLS
 * files as their paths.
 */
const UNREAD_FILES: KasFiles = {
  readSecret: async () => 'not-read-for-the-graph-only',
  readYaml: async () => [] as never,
  readTlsKeyPair: async ({ certFile, keyFile }) => ({ cert: { file: certFile }, key: { file: keyFile } }),
};

/**
 * Composes kas from a config text exactly as `kas --config` would (the same schema, environment overrides,
 * module configs and composition), without reading secret files or opening listeners: for
 * `kas-graph lint apps/kas --manifests <dir>`, which takes the config from the Deployment's ConfigMap.
 * Throws `KAS_CONFIG_*` errors as kas would at start.
 */
export async function composeFromConfig(source: KasConfigText): Promise<ConfiguredKas> {
  const { config, where } = await loadConfigFile(kasConfigSchema, {
    file: source.file,
    text: source.text,
    env: source.env,
    ignoredEnv: ['KAS_CONFIG'],
  });
  const modules = await createKasModules(BUILT_IN_SECTIONS, { config, files: UNREAD_FILES, where });
  const composition = composeKas({
    modules,
    observability: { listenAddress: config.observability.listen, debug: config.observability.debug },
    provide: [{ token: KasTelemetryToken, useValue: new KasTelemetry() }],
  });
  return {
    composition,
    ...(config.shutdownDeadline === undefined ? {} : { shutdownDeadlineMs: config.shutdownDeadline }),
    listenGraceMs: config.kubeProxy.listenGrace,
  };
}
