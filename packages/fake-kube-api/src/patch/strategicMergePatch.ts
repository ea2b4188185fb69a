import { badRequest } from '../objects/storeErrors.js';
import { listMergeStrategy } from './listMergeStrategies.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/**
 * Applies a Kubernetes strategic merge patch (what `kubectl apply` sends to update an object): maps
 * merge as in a JSON merge patch (`null` deletes a key); lists with a merge strategy (see
 * `listMergeStrategy`) merge item by item; other lists are replaced. Honours the directives kubectl
 * sends: `$patch: replace|delete|merge`, `$retainKeys`, `$setElementOrder/<list>` and
 * `$deleteFromPrimitiveList/<list>`.
 */
export function strategicMergePatch(
  kind: string,
  original: Readonly<Record<string, unknown>>,
  patch: unknown,
): Record<string, unknown> {
  if (!isObject(patch)) {
    throw badRequest('a strategic merge patch must be a JSON object', 'send a JSON object as the patch body');
  }
  return mergeObject(kind, '', original as JsonObject, patch) ?? {};
}

function mergeObject(
  kind: string,
  path: string,
  original: JsonObject,
  patch: JsonObject,
): JsonObject | undefined {
  const directive = patch.$patch;
  if (directive === 'delete') return undefined;
  if (directive === 'replace') return withoutDirectives(patch);
  const result: JsonObject = { ...original };
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith('$')) continue;
    const fieldPath = path === '' ? key : `${path}.${key}`;
    if (value === null) {
      delete result[key];
    } else if (isObject(value)) {
      const merged = mergeObject(kind, fieldPath, isObject(result[key]) ? result[key] : {}, value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else if (Array.isArray(value)) {
      result[key] = mergeList(kind, fieldPath, asList(result[key]), value);
    } else {
      result[key] = value;
    }
  }
  for (const [key, value] of Object.entries(patch)) {
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      const field = key.slice(DELETE_FROM_PRIMITIVE_LIST.length);
      const remove = asList(value);
      result[field] = asList(result[field]).filter((item) => !remove.includes(item));
    }
    if (key.startsWith(SET_ELEMENT_ORDER)) {
      const field = key.slice(SET_ELEMENT_ORDER.length);
      const strategy = listMergeStrategy(kind, path === '' ? field : `${path}.${field}`);
      if (Array.isArray(result[field])) result[field] = orderList(result[field], asList(value), strategy);
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const retained = new Set(patch.$retainKeys);
    for (const key of Object.keys(result)) if (!retained.has(key)) delete result[key];
  }
  return result;
}

function mergeList(kind: string, path: string, original: Json[], patch: Json[]): Json[] {
  const strategy = listMergeStrategy(kind, path);
  if (strategy === undefined) return patch.map((item) => (isObject(item) ? withoutDirectives(item) : item));
  if (strategy === 'primitive') return [...original, ...patch.filter((item) => !original.includes(item))];
  if (patch.some((item) => isObject(item) && item.$patch === 'replace')) {
    return patch.filter((item) => !(isObject(item) && item.$patch === 'replace'));
  }
  const { mergeKey } = strategy;
  const result = [...original];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = result.findIndex((existing) => isObject(existing) && existing[mergeKey] === item[mergeKey]);
    const existing = result[index];
    const merged = mergeObject(kind, path, isObject(existing) ? existing : {}, item);
    if (merged === undefined) {
      if (index !== -1) result.splice(index, 1);
    } else if (index === -1) {
      result.push(merged);
    } else {
      result[index] = merged;
    }
  }
  return result;
}

/** Puts the items named in a `$setElementOrder` list first, in its order; the others keep theirs after. */
function orderList(list: Json[], order: Json[], strategy: ReturnType<typeof listMergeStrategy>): Json[] {
  const keyOf = (item: Json): Json =>
    strategy !== undefined && strategy !== 'primitive' && isObject(item)
      ? (item[strategy.mergeKey] ?? null)
      : item;
  const wanted = order.map(keyOf);
  const rank = (item: Json) => {
    const index = wanted.indexOf(keyOf(item));
    return index === -1 ? wanted.length : index;
  };
  return [...list].sort((a, b) => rank(a) - rank(b));
}

function withoutDirectives(object: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !key.startsWith('$')));
}

function asList(value: Json | undefined): Json[] {
  return Array.isArray(value) ? value : [];
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
