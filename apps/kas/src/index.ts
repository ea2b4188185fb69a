export {
  type ConfiguredKas,
  composeFromConfig,
  type KasConfigText,
} from './composition/composeFromConfig.js';
export {
  composeKas,
  type KasModules,
  LEGACY_STOP_OVERRIDES,
  type StopOrder,
} from './composition/composeKas.js';
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
export { default, legacy } from './lintComposition.js';
export { KasTelemetry } from './observability/KasTelemetry.js';
export {
  KasTelemetryToken,
  ObservabilityEndpointToken,
  observabilityModule,
} from './observability/observabilityModule.js';
