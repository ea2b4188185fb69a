// What an extender needs: the one composition function (kas --config and kas-graph lint --config use it),
// runKas, the activity a loaded module may record, the config pieces, and the composition for linting.

export { KUBE_PROXY, PRIVATE_API } from '@kas/module-kube-proxy';
export { REDIS_CONNECTION } from '@kas/module-tunnel-tracker';
// The built-in modules' names and the resource they serve, for a loaded module's declarations.
export { AGENT_GRPC_SERVER, AGENT_TUNNELS, TUNNEL_TRACKER } from '@kas/tunnel-protocol';
export { type KasArgs, parseKasArgs } from './cli/parseKasArgs.js';
export {
  type ComposeOptions,
  type ConfiguredKas,
  composeFromConfig,
  type KasConfigText,
  type LoadedModuleSource,
} from './composition/composeFromConfig.js';
export {
  composeKas,
  type KasModules,
  LEGACY_STOP_OVERRIDES,
  type StopOrder,
} from './composition/composeKas.js';
export { lintOnly } from './composition/lintOnly.js';
export { BUILT_IN_SECTIONS } from './config/builtInSections.js';
export { createKasModules, type KasModuleSources } from './config/createKasModules.js';
export { diskFiles, type KasFiles } from './config/KasFiles.js';
export type { KasSection, KasSectionContext } from './config/KasSection.js';
export {
  appSettingsShape,
  assembleKasConfigSchema,
  type KasConfig,
  kasConfigSchema,
} from './config/kasConfigSchema.js';
export { type ConfigSource, type LoadedConfig, loadConfigFile } from './config/loadConfigFile.js';
export { KAS_APP_ERROR_CODES, type KasAppErrorCode } from './errors/errorCodes.js';
export { KasAppError } from './errors/KasAppError.js';
export {
  KasActivity,
  type KasActivityEvent,
  type KasActivityListener,
  KasActivityToken,
} from './extension/KasActivity.js';
export { default, legacy } from './lintComposition.js';
export type { LogFormat } from './logging/chooseLogFormat.js';
export { openLogDestination } from './logging/openLogDestination.js';
export { KasTelemetry } from './observability/KasTelemetry.js';
export {
  KasTelemetryToken,
  ObservabilityEndpointToken,
  observabilityModule,
} from './observability/observabilityModule.js';
export { runKas, type SignalsWhileLoading } from './runKas.js';
