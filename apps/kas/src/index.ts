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
export { type KasConfig, kasConfigSchema } from './config/kasConfigSchema.js';
export { KAS_APP_ERROR_CODES, type KasAppErrorCode } from './errors/errorCodes.js';
export { KasAppError } from './errors/KasAppError.js';
export { default, legacy } from './lintComposition.js';
export { KasTelemetry } from './observability/KasTelemetry.js';
export {
  KasTelemetryToken,
  ObservabilityEndpointToken,
  observabilityModule,
} from './observability/observabilityModule.js';
