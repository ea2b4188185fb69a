import { z } from 'zod';

/** The `auditSink:` section of kas.yaml; kas validates it with this schema before anything starts. */
export const auditSinkConfigSchema = z.strictObject({
  file: z.string().min(1).describe('The file audit records are appended to, one JSON object per line.'),
  flushIntervalMs: z
    .number()
    .int()
    .positive()
    .default(1000)
    .describe('How often buffered records are written, in milliseconds; the stop writes the rest.'),
});

/** What `auditSinkModule` takes. */
export type AuditSinkConfig = z.input<typeof auditSinkConfigSchema>;
