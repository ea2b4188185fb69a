export {
  type ConfigIssue,
  configIssuesOf,
  describeIssues,
  formatKeyPath,
  toConfigIssues,
} from './configIssues.js';
export { describeListenFailure, listenFailureFix } from './describeListenFailure.js';
export { duplicateKeyErrors } from './duplicateKeyErrors.js';
export { duration, type Milliseconds, positiveDuration } from './duration.js';
export { ConfigIssuesError } from './errors/ConfigIssuesError.js';
export { ConfigTooLargeError } from './errors/ConfigTooLargeError.js';
export { CONFIG_ERROR_CODES, type ConfigErrorCode } from './errors/errorCodes.js';
export { formatHostPort, type HostPort, type HostPortAddress, hostPort, splitHostPort } from './hostPort.js';
export { type ConfigKeyDoc, listConfigKeys } from './listConfigKeys.js';
export { parseConfig } from './parseConfig.js';
export { MAX_CONFIG_FILE_BYTES, type ParseConfigYamlOptions, parseConfigYaml } from './parseConfigYaml.js';
export { pemSource, tlsFiles, tlsKeyPair, toTlsKeyPair } from './pemSource.js';
export { type ConfigReferenceOptions, renderConfigReference } from './renderConfigReference.js';
export { configReferenceMarkers, replaceConfigReference } from './replaceConfigReference.js';
export { filePath, sha256Digest, text } from './text.js';
export { timeoutCheckIntervalMs } from './timeoutCheckInterval.js';
export { metaOf, shapeOf, type UnwrappedSchema, unwrapSchema } from './unwrapSchema.js';
