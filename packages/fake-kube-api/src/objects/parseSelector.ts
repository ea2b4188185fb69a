import { FakeKubeApiError } from '../errors/FakeKubeApiError.js';
import type { KubeObject } from './KubeObject.js';
import { readPath } from './readPath.js';

/** Whether an object matches a label or field selector. */
export type ObjectPredicate = (object: KubeObject) => boolean;

const matchAll: ObjectPredicate = () => true;

/**
 * A predicate for a `labelSelector` query parameter: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`,
 * `a notin (x,y)`, comma-separated (all must hold). Throws `KAS_FAKE_KUBE_BAD_REQUEST` when malformed.
 */
export function parseLabelSelector(selector: string | undefined): ObjectPredicate {
  if (selector === undefined || selector.trim() === '') return matchAll;
  const requirements = splitRequirements(selector).map((text) => parseLabelRequirement(text, selector));
  return (object) => {
    const labels = object.metadata.labels ?? {};
    return requirements.every((requirement) => requirement(labels));
  };
}

/**
 * A predicate for a `fieldSelector` query parameter: `path=value`, `path==value`, `path!=value`,
 * comma-separated, where `path` is any dotted field of the object (`metadata.name`, `status.phase`).
 * The real server allows only a few fields per kind; the fake allows every field.
 */
export function parseFieldSelector(selector: string | undefined): ObjectPredicate {
  if (selector === undefined || selector.trim() === '') return matchAll;
  const requirements = selector.split(',').map((text) => {
    const match = /^\s*([A-Za-z0-9_.-]+)\s*(==|!=|=)\s*([^,]*?)\s*$/.exec(text);
    if (match === null) throw badSelector('field', selector, text);
    const [, path = '', operator, expected = ''] = match;
    return (object: KubeObject) => {
      const value = readPath(object, path);
      const actual = value === undefined || value === null ? '' : String(value);
      return operator === '!=' ? actual !== expected : actual === expected;
    };
  });
  return (object) => requirements.every((requirement) => requirement(object));
}

type LabelRequirement = (labels: Readonly<Record<string, string>>) => boolean;

function parseLabelRequirement(text: string, selector: string): LabelRequirement {
  const trimmed = text.trim();
  const key = String.raw`([A-Za-z0-9][A-Za-z0-9_.\/-]*)`;
  const exists = new RegExp(`^(!?)\\s*${key}$`).exec(trimmed);
  if (exists !== null) {
    const [, negation, name = ''] = exists;
    return negation === '!' ? (labels) => !(name in labels) : (labels) => name in labels;
  }
  const equality = new RegExp(`^${key}\\s*(==|!=|=)\\s*([A-Za-z0-9_.-]*)$`).exec(trimmed);
  if (equality !== null) {
    const [, name = '', operator, value] = equality;
    return operator === '!=' ? (labels) => labels[name] !== value : (labels) => labels[name] === value;
  }
  const set = new RegExp(`^${key}\\s+(in|notin)\\s*\\(([^)]*)\\)$`).exec(trimmed);
  if (set !== null) {
    const [, name = '', operator, list = ''] = set;
    const values = new Set(list.split(',').map((value) => value.trim()));
    return operator === 'in'
      ? (labels) => labels[name] !== undefined && values.has(labels[name])
      : (labels) => labels[name] === undefined || !values.has(labels[name]);
  }
  throw badSelector('label', selector, text);
}

/** Splits at commas outside parentheses (`a in (x,y),b` is two requirements). */
function splitRequirements(selector: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of selector) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

function badSelector(kind: 'label' | 'field', selector: string, part: string): FakeKubeApiError {
  return new FakeKubeApiError(
    'KAS_FAKE_KUBE_BAD_REQUEST',
    `unable to parse requirement: ${JSON.stringify(part.trim())} of ${kind} selector ${JSON.stringify(selector)}`,
    kind === 'label'
      ? 'write requirements as key=value, key!=value, key, !key, key in (a,b) or key notin (a,b), comma-separated'
      : 'write requirements as path=value or path!=value, comma-separated',
  );
}
