import { text } from '@kas/config';
import { z } from 'zod';

/** A name or id in YAML: a number (`id: 7`, `KAS_REPLICA__ID=7`) counts as its text. */
export function yamlText() {
  return z.preprocess((value) => (typeof value === 'number' ? String(value) : value), text());
}
