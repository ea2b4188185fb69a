import { CORE_ERROR_CODES, type CoreErrorCode } from '@kas/core';
import { defineLintRule } from '../defineLintRule.js';
import type { LintRule } from '../LintRule.js';

interface StructuralText {
  readonly title: string;
  readonly rationale: string;
  readonly example: string;
  readonly fix: string;
}

/** The graph checks `analyzeComposition` already makes; `createApp` refuses a graph with any of them. */
const STRUCTURAL: Readonly<Partial<Record<CoreErrorCode, StructuralText>>> = {
  KAS_DUPLICATE_MODULE: {
    title: 'duplicate module name',
    rationale:
      'Names are how declarations, logs, traces and findings refer to a module; with two modules of one name, relations to it are ambiguous.',
    example: 'modules: [redisConnection, redisConnection]\n-> two modules are named "redis-connection"',
    fix: 'give each module a unique name, or compose the module only once',
  },
  KAS_UNKNOWN_MODULE: {
    title: 'unknown module',
    rationale:
      'A start dependency, stop relation or override that names a module the app does not have orders nothing: the module it was meant to protect stops whenever.',
    example:
      'defineModule({ name: \'tunnel-tracker\', stop: { with: [\'agent-grpc\'] }, ... })\n-> "tunnel-tracker" stop.with names "agent-grpc", which is not a module of this app (did you mean "agent-grpc-server"? the app\'s modules: observability, agent-grpc-server, redis-connection, tunnel-tracker, private-api, kube-proxy)',
    fix: 'compose the module that is named, or correct the name (the message suggests the closest names the app has)',
  },
  KAS_START_CYCLE: {
    title: 'start cycle',
    rationale:
      'Modules that start after each other (declared, or through DI needs) can never start. Each group of modules that wait on each other is one finding with one cycle through it, so one run reports every cycle to break.',
    example:
      "a: startAfter ['b']; b needs a token a provides\n-> start cycle: a -> b -> a (a declares startAfter b; b needs a.value from a)",
    fix: 'remove one startAfter on the cycle, or the DI need that implies it',
  },
  KAS_STOP_CYCLE: {
    title: 'stop cycle',
    rationale:
      'Stop relations and the start-order default that wait on each other in a ring: no stage of the ring can begin, so the app never stops. Each group of stages that wait on each other is one finding with one cycle through it, so one run reports every cycle to break.',
    example:
      "store; cache: startAfter ['store']; proxy: startAfter ['cache'], stop { after: ['store'] }\n-> stop cycle: store -[after]-> proxy -[default]-> cache -[default]-> store",
    fix: 'remove one of the "after" declarations on the cycle, or merge the modules with "with"',
  },
  KAS_STOP_CONTRADICTION: {
    title: 'contradictory stop declarations',
    rationale:
      'Stop relations that cannot all hold (with and after, after both ways, an alongside that other relations order, a chain of with that puts a module in one stage with a module it started after without naming it, or an after on a module that declares last by one that does not, which would make the last module stop before it): the plan cannot honour what the declarations say.',
    example:
      'private-api: stop { with: [\'kube-proxy\'] } without alongside: [\'agent-grpc-server\'] while kube-proxy declares alongside: [\'agent-grpc-server\']\n-> "kube-proxy" declares alongside: ["agent-grpc-server"], but other relations make "kube-proxy" stop before "agent-grpc-server"',
    fix: 'keep one relation per pair, and declare alongside (or with) for the modules between them; a module that must stop after a last module declares last too',
  },
  KAS_TOKEN_NOT_PROVIDED: {
    title: 'DI token not provided',
    rationale:
      'A module needs a token that no module and no app value provides: its factory cannot be called.',
    example:
      'kube-proxy: needs { redis: RedisToken } with no redis-connection composed\n-> "kube-proxy" needs token redis-connection.client, which no module and no app value provides',
    fix: "compose the module that provides the token, or register a value for it in the app's `provide`",
  },
  KAS_TOKEN_PROVIDED_TWICE: {
    title: 'DI token provided twice',
    rationale:
      'Two providers of one token: which value a module receives would depend on registration order.',
    example:
      'two modules both provide RedisToken\n-> token redis-connection.client is provided by both "a" and "b"',
    fix: 'provide each token from one place',
  },
};

/** The structural rules, one per code of `analyzeComposition`'s problems; their findings are those problems. */
export const STRUCTURAL_RULES: readonly LintRule[] = Object.entries(STRUCTURAL).map(([code, text]) =>
  defineLintRule({
    code,
    severity: 'error',
    summary: CORE_ERROR_CODES[code as CoreErrorCode],
    ...(text as StructuralText),
    *check(graph) {
      for (const problem of graph.problems) {
        if (problem.code === code)
          yield { message: problem.message, fix: problem.fix, modules: problem.modules };
      }
    },
  }),
);

/** True for the codes of structural rules: they stay errors (`createApp` refuses such a graph). */
export function isStructuralCode(code: string): boolean {
  return code in STRUCTURAL;
}
