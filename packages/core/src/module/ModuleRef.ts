import { CoreError } from '../errors/CoreError.js';
import { quoteValue } from './quoteValue.js';

declare const moduleRefBrand: unique symbol;
declare const resourceTagBrand: unique symbol;

/**
 * A module's name as a typed constant: a string at run time (logs, plans and config show it as it is),
 * branded in TypeScript so it cannot be given where a resource tag is expected. A package exports the
 * refs of its modules (`export const KUBE_PROXY = createModuleRef('kube-proxy')`) and others name the
 * module with the constant: a misspelt constant does not compile.
 */
export type ModuleRef<N extends string = string> = N & { readonly [moduleRefBrand]: N };

/**
 * A resource tag as a typed constant (e.g. `AGENT_TUNNELS`, the agent edge's tunnels): a string at run
 * time, branded in TypeScript so it cannot be given where a module name is expected.
 */
export type ResourceTag<T extends string = string> = T & { readonly [resourceTagBrand]: T };

/**
 * What a declaration accepts where it names a module (`startAfter`, `stop.with`, ...): a `ModuleRef`, or
 * a plain string (config, JavaScript); never a `ResourceTag`.
 */
export type ModuleNameInput = string & { readonly [resourceTagBrand]?: never };

/**
 * What a declaration accepts where it names a resource (`accepts`, `advertises`, `uses`, `observes`): a
 * `ResourceTag`, or a plain string; never a `ModuleRef`.
 */
export type ResourceTagInput = string & { readonly [moduleRefBrand]?: never };

/** What a module name and a resource tag may be: what reads the same in a log line, a URL and a terminal. */
export const NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,252}$/;

/** What `NAME_PATTERN` allows, for messages. */
export const NAME_RULE =
  'lower-case letters, digits, ".", "_" or "-", starting with a letter or digit, at most 253 characters';

/**
 * Makes the typed constant for a module name; checks the name at once (`KAS_INVALID_DECLARATION`).
 *
 * @example
 * export const AUDIT_SINK = createModuleRef('audit-sink');
 * defineModule({ name: AUDIT_SINK, stop: { after: [KUBE_PROXY] }, ... });
 */
export function createModuleRef<const N extends string>(name: N): ModuleRef<N> {
  checkRefText(name, 'module name', "createModuleRef('tunnel-tracker')");
  return name as ModuleRef<N>;
}

/**
 * Makes the typed constant for a resource tag; checks the tag at once (`KAS_INVALID_DECLARATION`).
 *
 * @example
 * export const AGENT_TUNNELS = createResourceTag('agent-tunnels');
 * defineModule({ name: 'kube-proxy', uses: [AGENT_TUNNELS], ... });
 */
export function createResourceTag<const T extends string>(tag: T): ResourceTag<T> {
  checkRefText(tag, 'resource tag', "createResourceTag('agent-tunnels')");
  return tag as ResourceTag<T>;
}

function checkRefText(text: unknown, what: string, example: string): void {
  if (typeof text !== 'string' || !NAME_PATTERN.test(text)) {
    throw new CoreError(
      'KAS_INVALID_DECLARATION',
      `${quoteValue(text)} is not a valid ${what}: ${NAME_RULE}`,
      `write it like ${example}`,
    );
  }
}
