import type { z } from 'zod';
import { type ConfigReferenceOptions, renderConfigReference } from './renderConfigReference.js';

const BEGIN = '<!-- config-reference:begin (generated from the schema: UPDATE_DOCS=1 npx vitest run) -->';
const END = '<!-- config-reference:end -->';

/**
 * `markdown` with the text between its config reference markers replaced by the reference generated
 * from `schema`; `undefined` when the markers are missing. A README test compares the two, so the docs
 * cannot drift from the schema, and writes the result when `UPDATE_DOCS=1`.
 */
export function replaceConfigReference(
  markdown: string,
  schema: z.ZodType,
  options: ConfigReferenceOptions = {},
): string | undefined {
  const begin = markdown.indexOf(BEGIN);
  const end = markdown.indexOf(END);
  if (begin < 0 || end < begin) return undefined;
  const start = begin + BEGIN.length;
  return `${markdown.slice(0, start)}\n\n${renderConfigReference(schema, options)}\n${markdown.slice(end)}`;
}

/** The markers `replaceConfigReference` writes between, for a README that does not have them yet. */
export const CONFIG_REFERENCE_MARKERS = { begin: BEGIN, end: END } as const;
