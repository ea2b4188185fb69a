import type { z } from 'zod';
import { type ConfigReferenceOptions, renderConfigReference } from './renderConfigReference.js';

/** The markers a README's generated config reference sits between; `name` tells several apart. */
export function configReferenceMarkers(name?: string): { readonly begin: string; readonly end: string } {
  const label = name === undefined ? '' : ` ${name}`;
  return {
    begin: `<!-- config-reference:begin${label} (generated from the schema: UPDATE_DOCS=1 npx vitest run) -->`,
    end: `<!-- config-reference:end${label} -->`,
  };
}

/**
 * `markdown` with the text between its config reference markers replaced by the reference generated
 * from `schema`; `undefined` when the markers are missing. A README test compares the two, so the docs
 * cannot drift from the schema, and writes the result when `UPDATE_DOCS=1`. `markerName` picks one of
 * several references in one README (a package with two modules).
 */
export function replaceConfigReference(
  markdown: string,
  schema: z.ZodType,
  options: ConfigReferenceOptions & { readonly markerName?: string } = {},
): string | undefined {
  const { begin: beginMarker, end: endMarker } = configReferenceMarkers(options.markerName);
  const begin = markdown.indexOf(beginMarker);
  const end = markdown.indexOf(endMarker);
  if (begin < 0 || end < begin) return undefined;
  const start = begin + beginMarker.length;
  return `${markdown.slice(0, start)}\n\n${renderConfigReference(schema, options)}\n${markdown.slice(end)}`;
}
