import { describe, expect, it } from 'vitest';
import { LineCounter, parseAllDocuments } from 'yaml';
import { duplicateKeyErrors } from '../src/index.js';

/** Each document's errors as code, 1-based line:column and message. */
function errorsByDocument(text: string, check: 'yaml' | 'duplicateKeyErrors'): string[][] {
  const lines = new LineCounter();
  const documents = parseAllDocuments(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: check === 'yaml',
  });
  if (!Array.isArray(documents)) return [];
  return documents.map((document) =>
    [...document.errors, ...(check === 'yaml' ? [] : duplicateKeyErrors(document))]
      .sort((a, b) => a.pos[0] - b.pos[0])
      .map((error) => {
        const at = lines.linePos(error.pos[0]);
        return `${error.code} ${at.line}:${at.col} ${error.message}`;
      }),
  );
}

describe('duplicateKeyErrors', () => {
  it('finds, in each document of a stream, the repeated keys yaml finds, at the same lines', () => {
    const text = [
      'kind: ConfigMap',
      'data:',
      '  a: 1',
      '  a: 2',
      '---',
      'kind: Deployment',
      'spec:',
      '  replicas: 1',
      '---',
      'kind: Service',
      'metadata: {name: x, name: y}',
      'kind: Service',
      '',
    ].join('\n');
    expect(errorsByDocument(text, 'duplicateKeyErrors')).toEqual([
      ['DUPLICATE_KEY 4:3 Map keys must be unique'],
      [],
      ['DUPLICATE_KEY 11:21 Map keys must be unique', 'DUPLICATE_KEY 12:1 Map keys must be unique'],
    ]);
    expect(errorsByDocument(text, 'duplicateKeyErrors')).toEqual(errorsByDocument(text, 'yaml'));
  });
});
