// @acme/kas-audit-sink: what kas.yaml's `modules:` loads is this entry. Its default export is a factory
// that takes the validated `auditSink:` section; `configKey` and `configSchema` tell kas which key that
// is and how to check it.
import { auditSinkModule } from './auditSinkModule.js';

export { type AuditSinkConfig, auditSinkConfigSchema } from './auditSinkConfigSchema.js';
export { AUDIT_SINK, auditSinkModule } from './auditSinkModule.js';

/** This module's key in kas.yaml. */
export const configKey = 'auditSink';
/** The schema kas validates `auditSink:` with (errors name the file, line, column and key path). */
export { auditSinkConfigSchema as configSchema } from './auditSinkConfigSchema.js';

export default auditSinkModule;
