import { fileURLToPath } from 'node:url';
import { CoreError } from '../errors/CoreError.js';
import { toMilliseconds } from './Duration.js';
import type {
  AnyModule,
  DeclarationSite,
  ModuleDefinition,
  StopRelation,
  TokenRecord,
} from './ModuleDefinition.js';
import { NAME_PATTERN, NAME_RULE } from './ModuleRef.js';
import { quoteValue } from './quoteValue.js';

const STOP_RELATIONS: readonly StopRelation[] = ['with', 'alongside', 'after'];

/**
 * Declares a module: its lifecycle contract as data, plus a factory. Checks the shape of the
 * declaration at once and throws `KAS_INVALID_DECLARATION` naming the bad field; relations between
 * modules are checked when an app is composed.
 *
 * @example
 * export const tunnelTracker = defineModule({
 *   name: 'tunnel-tracker',
 *   startAfter: ['redis-connection'],
 *   stop: { with: ['agent-grpc-server'] }, // withdraw tunnels at the moment agents get GOAWAY
 *   drainBudget: '10s',
 *   advertises: ['agent-tunnels'],
 *   needs: { redis: RedisToken },
 *   create: ({ redis, log }) => new TunnelTracker(redis, log),
 * });
 */
export function defineModule<
  N extends TokenRecord = Record<never, never>,
  P extends TokenRecord = Record<never, never>,
>(definition: ModuleDefinition<N, P>): ModuleDefinition<NoInfer<N>, NoInfer<P>> {
  checkModuleDefinition(definition);
  const declaredAt = definition.declaredAt ?? callerSite();
  return Object.freeze(declaredAt === undefined ? definition : { ...definition, declaredAt });
}

/** The file, line and column of `defineModule`'s caller, from the stack (source-mapped when Node maps it). */
function callerSite(): DeclarationSite | undefined {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder, defineModule);
  const frame = holder.stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
  const match = frame?.match(/\(?((?:file:\/\/)?[^\s()]+):(\d+):(\d+)\)?\s*$/);
  if (match === null || match === undefined) return undefined;
  const [, location = '', line = '0', column = '0'] = match;
  let file = location;
  if (location.startsWith('file://')) {
    try {
      file = fileURLToPath(location);
    } catch {
      file = location;
    }
  }
  return { file, line: Number(line), column: Number(column) };
}

/**
 * Checks one module declaration's own fields, as `defineModule` does, and throws `KAS_INVALID_DECLARATION`
 * naming the bad field; used by `defineModule`, and again when an app is composed (for module objects not
 * made by `defineModule`, and with the app's overrides applied). Exported for code that takes modules from
 * elsewhere (kas's `modules:` entries) and reports a bad one where it came from.
 */
export function checkModuleDefinition(definition: AnyModule): void {
  const { name } = definition;
  const fail = (field: string, problem: string, fix: string): never => {
    throw new CoreError('KAS_INVALID_DECLARATION', `module ${quoteValue(name)}: ${field} ${problem}`, fix);
  };
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) {
    fail('name', `must be ${NAME_RULE}`, "name it like 'tunnel-tracker'");
  }
  checkNameList(definition.startAfter, 'startAfter', 'module', fail);
  if (definition.stop !== undefined) {
    if (typeof definition.stop !== 'object' || definition.stop === null || Array.isArray(definition.stop)) {
      fail('stop', 'must be an object of stop relations', "write stop: { with: ['some-module'] }");
    }
    for (const key of Object.keys(definition.stop)) {
      if (key !== 'last' && !STOP_RELATIONS.includes(key as StopRelation)) {
        fail(`stop.${key}`, 'is not a stop relation', "use 'with', 'alongside', 'after' or 'last'");
      }
    }
    const { last } = definition.stop;
    if (last !== undefined && typeof last !== 'boolean') {
      fail('stop.last', 'must be true or false', 'write stop: { last: true } to stop after everything else');
    }
    for (const relation of STOP_RELATIONS)
      checkNameList(definition.stop[relation], `stop.${relation}`, 'module', fail);
  }
  for (const field of ['accepts', 'advertises', 'uses', 'observes'] as const)
    checkNameList(definition[field], field, 'tag', fail);
  if (definition.drainBudget !== undefined)
    toMilliseconds(definition.drainBudget, `module "${name}": drainBudget`);
  if (definition.startBudget !== undefined)
    toMilliseconds(definition.startBudget, `module "${name}": startBudget`);
  for (const field of ['needs', 'provides'] as const) {
    for (const [key, token] of Object.entries(definition[field] ?? {})) {
      if (typeof token !== 'symbol')
        fail(`${field}.${key}`, 'is not a DI token', 'create tokens with createToken<T>(description)');
    }
  }
  if (typeof definition.create !== 'function')
    fail('create', 'is not a function', 'give a factory that returns { start, stop }');
}

/**
 * Checks a list of module names or resource tags: each must be a name as a module's own is, so what a
 * message or a plan prints from a declaration never carries control characters (ANSI escapes, newlines).
 */
function checkNameList(
  list: readonly string[] | undefined,
  field: string,
  kind: 'module' | 'tag',
  fail: (field: string, problem: string, fix: string) => never,
): void {
  if (list === undefined) return;
  const example = kind === 'module' ? 'tunnel-tracker' : 'agent-tunnels';
  if (!Array.isArray(list) || list.some((item) => typeof item !== 'string' || item === '')) {
    // A lone name given as a string is the usual slip: the fix is that name in an array.
    const given: unknown = list;
    const fix =
      typeof given === 'string' && NAME_PATTERN.test(given)
        ? `write ${field}: ['${given}']`
        : `write ${field} as an array of ${kind === 'module' ? 'module names' : 'resource tags'}, e.g. ${field}: ['${example}']`;
    fail(field, 'must be an array of non-empty strings', fix);
  }
  list.forEach((item, index) => {
    if (NAME_PATTERN.test(item)) return;
    fail(
      `${field}[${index}]`,
      `${quoteValue(item)} is not a ${kind === 'module' ? 'module name' : 'resource tag'}: ${NAME_RULE}`,
      kind === 'module'
        ? `name the module as it names itself, like '${example}'`
        : `write resource tags like '${example}' (createResourceTag checks one where it is defined)`,
    );
  });
}
