import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import AjvDraft04Module from 'ajv-draft-04';

// ajv-draft-04 is CommonJS with `exports.default`: under NodeNext its class is the default's default
const AjvDraft04 = AjvDraft04Module.default;

const require = createRequire(import.meta.url);

/** Validates against the JSON report schema that docs/kas-graph.md publishes (the block between its markers). */
export function lintReportValidator(): (report: unknown) => string[] {
  const docs = readFileSync(new URL('../../docs/kas-graph.md', import.meta.url), 'utf8');
  const block =
    /<!-- lint-report-schema:begin -->\n```json\n([\s\S]*?)```\n<!-- lint-report-schema:end -->/.exec(docs);
  if (block === null) throw new Error('docs/kas-graph.md has no lint report schema block');
  const validate = new Ajv({ allErrors: true, strict: true }).compile(JSON.parse(block[1] as string));
  return (report) =>
    validate(report) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}

/** Validates against the OASIS SARIF 2.1.0 JSON schema (draft-04), as Microsoft's SARIF SDK ships it. */
export function sarifValidator(): (log: unknown) => string[] {
  const schema = JSON.parse(
    readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8'),
  );
  const validate = new AjvDraft04({ allErrors: true, strict: false, unicodeRegExp: false }).compile(schema);
  return (log) =>
    validate(log) ? [] : (validate.errors ?? []).map((error) => `${error.instancePath} ${error.message}`);
}
