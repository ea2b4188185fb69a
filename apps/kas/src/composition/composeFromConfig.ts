import { dirname, resolve } from 'node:path';
import { toConfigIssues } from '@kas/config';
import type { AnyModule, App, AppComposition } from '@kas/core';
import { BUILT_IN_SECTIONS } from '../config/builtInSections.js';
import { createKasModules } from '../config/createKasModules.js';
import { diskFiles, type KasFiles } from '../config/KasFiles.js';
import type { KasSection } from '../config/KasSection.js';
import {
  appSettingsShape,
  assembleKasConfigSchema,
  checkDrainBudgets,
  type KasConfig,
} from '../config/kasConfigSchema.js';
import { invalidConfig, readConfigSource, validateConfig, type WhereSet } from '../config/loadConfigFile.js';
import { KasAppError } from '../errors/KasAppError.js';
import { KasActivity, KasActivityToken } from '../extension/KasActivity.js';
import { type LoadedModuleEntry, loadModuleEntries } from '../extension/loadModuleEntries.js';
import { KasTelemetry } from '../observability/KasTelemetry.js';
import { KasTelemetryToken } from '../observability/observabilityModule.js';
import { applyOverrides } from './applyOverrides.js';
import { checkLoadedModules } from './checkLoadedModules.js';
import { composeKas, type StopOrder } from './composeKas.js';
import { lintOnly } from './lintOnly.js';

/** Where kas's config comes from: a file, or a text read elsewhere (a ConfigMap), and the environment. */
export interface KasConfigText {
  /**
   * The YAML text, when it was read elsewhere; without it `file` is read. Neither: defaults and the
   * environment only.
   */
  readonly text?: string;
  /** The config file, or what names `text` in errors (`kas.yaml of ConfigMap kas`). */
  readonly file?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** How to compose. */
export interface ComposeOptions {
  /**
   * `run`: read the files the config names (secrets, lists) and make modules that start. `lint` (the
   * default): read none of them (empty lists, a placeholder secret) and make modules that refuse to start
   * (`KAS_LINT_ONLY`), so a composition meant for linting never binds a port.
   */
  readonly purpose?: 'run' | 'lint';
  /** Default `current`; `legacy` is the pre-fix order, for comparison. */
  readonly stopOrder?: StopOrder;
  /** Modules kas adds itself (dev mode's fake Kubernetes API and agent). */
  readonly extraModules?: readonly AnyModule[];
}

/** A module a `modules:` entry added, and where it came from. */
export interface LoadedModuleSource {
  readonly module: string;
  /** The entry as written. */
  readonly entry: string;
  /** Where the entry is written (`kas.yaml:4:5`). */
  readonly at: string;
  /** Where its config section is (`kas.yaml:9:1`), for a factory whose key is set in the file. */
  readonly configAt?: string;
}

/** The composition kas runs with a config, and what else the caller needs from that config. */
export interface ConfiguredKas {
  readonly composition: AppComposition;
  readonly config: KasConfig;
  /** `shutdownDeadline`, when the config sets it (otherwise the core's default applies). */
  readonly shutdownDeadlineMs?: number;
  /** The kube proxy's listen grace: how long it accepts new connections after its readiness turned false. */
  readonly listenGraceMs: number;
  /**
   * Why kas with this config must run as a single replica (its tunnel directory is in memory: no
   * `redis:`), or absent when replicas share the directory. `kas-graph lint --manifests` checks a
   * Deployment's replica count against it.
   */
  readonly singleReplicaOnly?: string;
  /** The modules `modules:` loaded, with the places in the config that added them. */
  readonly loaded: readonly LoadedModuleSource[];
  /** Where a key path of the config was set (`kas.yaml:12:3`, `environment KAS_...`, `defaults`). */
  readonly where: (path: readonly PropertyKey[]) => string;
  /** Reads the files the config names (`purpose: 'run'`), or placeholders (`lint`). */
  readonly files: KasFiles;
  /** The replica's telemetry (metrics, readiness and its warnings), fed once `connect` is called. */
  readonly telemetry: KasTelemetry;
  /** Feeds kas's telemetry and activity from the app made of `composition`; call it before `start`. */
  connect(app: App): void;
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
  readCertificates: async (path) => ({ file: path }),
};

/**
 * The one way kas is composed from its config: `kas --config kas.yaml` runs what this returns with
 * `purpose: 'run'`, and `kas-graph lint --config kas.yaml` (also `plan`, `draw`, `--manifests`) lints what
 * it returns with `purpose: 'lint'`: the same schema, environment overrides, loaded modules, module
 * configs, composition and `overrides:`. Loads the `modules:` entries, validates every key (the loaded
 * modules' sections with their own schemas), creates the modules, checks what loaded modules name and
 * need, and applies kas.yaml's `overrides:` over the stop order's. Throws `KAS_CONFIG_*`, `KAS_MODULE_*`
 * and `KAS_OVERRIDE_*` errors before anything starts, and the core's `KAS_TOKEN_NOT_PROVIDED` (a
 * `GraphError`) for a loaded module that needs what only an absent kas module (`redis-connection`) provides.
 */
export async function composeFromConfig(
  source: KasConfigText,
  options: ComposeOptions = {},
): Promise<ConfiguredKas> {
  const purpose = options.purpose ?? 'lint';
  const document = await readConfigSource({
    ...(source.file === undefined ? {} : { file: source.file }),
    ...(source.text === undefined ? {} : { text: source.text }),
    env: source.env,
    // Not config keys: the config file's path, and the test kit's time-out scale (README: Development),
    // which a developer may have exported in the shell they run kas from.
    ignoredEnv: ['KAS_CONFIG', 'KAS_TEST_TIMEOUT_SCALE'],
  });
  const entries = readModuleList(document.raw.modules, document.where);
  const baseDirectory =
    source.file === undefined || source.text !== undefined ? process.cwd() : dirname(resolve(source.file));
  const loaded = await loadModuleEntries(entries, baseDirectory, document.where);
  const sections: KasSection[] = [...BUILT_IN_SECTIONS];
  checkConfigKeys(loaded, sections);
  for (const entry of loaded) if (entry.section !== undefined) sections.push(entry.section);
  const { config, where } = validateConfig(
    assembleKasConfigSchema(sections).superRefine((value, context) =>
      checkDrainBudgets(value as KasConfig, context),
    ),
    { ...document, raw: withEmptySections(document.raw, loaded) },
  );
  const kasConfig = config as KasConfig;
  const files = purpose === 'run' ? diskFiles(where, baseDirectory) : UNREAD_FILES;

  const builtIn = await createKasModules(BUILT_IN_SECTIONS, { config: kasConfig, files, where });
  const sources: LoadedModuleSource[] = [];
  const loadedModules: AnyModule[] = [];
  const loadedBy = new Map<AnyModule, LoadedModuleSource>();
  for (const entry of loaded) {
    const modules =
      entry.section === undefined
        ? entry.modules
        : await createKasModules([entry.section], { config: kasConfig, files, where });
    for (const module of modules) {
      const source: LoadedModuleSource = {
        module: module.name,
        entry: entry.specifier,
        at: entry.at,
        ...(entry.section === undefined ? {} : { configAt: where([entry.section.key]) }),
      };
      loadedModules.push(module);
      sources.push(source);
      loadedBy.set(module, source);
    }
  }
  const telemetry = new KasTelemetry();
  const activity = new KasActivity();
  const { listen: observabilityListen, ...observabilitySettings } = kasConfig.observability;
  const composed = composeKas(
    {
      modules: [...builtIn, ...loadedModules],
      observability: { ...observabilitySettings, listenAddress: observabilityListen },
      provide: [
        { token: KasTelemetryToken, useValue: telemetry },
        { token: KasActivityToken, useValue: activity },
      ],
      extraModules: options.extraModules ?? [],
    },
    options.stopOrder ?? 'current',
  );
  checkLoadedModules(composed, loadedBy);
  const overridden = applyOverrides(composed, kasConfig.overrides, where);
  return {
    composition: purpose === 'run' ? overridden : lintOnly(overridden),
    config: kasConfig,
    ...(kasConfig.shutdownDeadline === undefined ? {} : { shutdownDeadlineMs: kasConfig.shutdownDeadline }),
    listenGraceMs: kasConfig.kubeProxy.listenGrace,
    ...(kasConfig.redis === undefined
      ? {
          singleReplicaOnly:
            'its tunnel directory is in memory (no redis:), so each replica knows only the agents connected to it',
        }
      : {}),
    loaded: sources,
    where,
    files,
    telemetry,
    connect(app) {
      telemetry.connect(app);
      activity.connect(app);
    },
  };
}

/** `modules:` checked on its own first: what it names decides the rest of the schema. */
function readModuleList(value: unknown, where: WhereSet): string[] {
  const parsed = appSettingsShape.modules.safeParse(value, { reportInput: true });
  if (parsed.success) return [...parsed.data];
  const issues = Array.isArray(value)
    ? toConfigIssues(parsed.error, appSettingsShape.modules)
    : [{ path: [], message: notAModuleList(value) }];
  throw invalidConfig(
    issues.map((issue) => ({ ...issue, path: ['modules', ...issue.path] })),
    where,
  );
}

/** What a `modules:` that is not a list should be: the same entry, in a YAML list. */
function notAModuleList(value: unknown): string {
  const entry = typeof value === 'string' ? JSON.stringify(value) : '"@acme/kas-audit-sink"';
  return `expected a YAML list of module entries, each a package name or a path (got ${JSON.stringify(value)}): write modules: [${entry}], or one line per entry below modules:, such as - ${entry}`;
}

/**
 * The config with `{}` for each loaded module's section that is not set and whose schema accepts an empty
 * section (every key optional): its defaults apply, as for kas's own optional sections. A schema with a
 * required key keeps the section required (`missing: expected a section`).
 */
function withEmptySections(
  raw: Readonly<Record<string, unknown>>,
  loaded: readonly LoadedModuleEntry[],
): Readonly<Record<string, unknown>> {
  const filled = { ...raw };
  for (const { section } of loaded) {
    if (section === undefined || filled[section.key] !== undefined) continue;
    if (acceptsEmptySection(section.schema)) filled[section.key] = {};
  }
  return filled;
}

function acceptsEmptySection(schema: KasSection['schema']): boolean {
  try {
    return schema.safeParse({}).success;
  } catch {
    return false; // a schema whose own code throws on `{}` is not one that accepts it
  }
}

function checkConfigKeys(loaded: readonly LoadedModuleEntry[], sections: readonly KasSection[]): void {
  const taken = new Map<string, string>([
    ...Object.keys(appSettingsShape).map((key): [string, string] => [key, 'a kas.yaml key of kas itself']),
    ...sections.map((section): [string, string] => [section.key, 'a built-in section']),
  ]);
  for (const entry of loaded) {
    if (entry.section === undefined) continue;
    const owner = taken.get(entry.section.key);
    if (owner !== undefined) {
      throw new KasAppError(
        'KAS_MODULE_NAME_TAKEN',
        `${entry.at}: modules entry "${entry.specifier}" wants the config key "${entry.section.key}", which is ${owner}`,
        `give the module's configKey a name of its own (e.g. prefixed with its package: "acme${entry.section.key[0]?.toUpperCase()}${entry.section.key.slice(1)}")`,
      );
    }
    taken.set(entry.section.key, `the key of modules entry "${entry.specifier}" (${entry.at})`);
  }
}
