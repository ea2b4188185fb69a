import type { GraphProblem } from '../errors/GraphError.js';
import { ClosestNames } from './closestNames.js';

/** An unknown-name problem lists the modules of an app with at most this many; of a larger app, it counts them. */
const MOST_MODULES_LISTED = 10;

/**
 * Makes KAS_UNKNOWN_MODULE problems for an app with `known` modules: each suggests the closest names,
 * and lists the app's modules when they are few, or says how many there are and how to list them.
 */
export function unknownModuleProblem(
  known: readonly string[],
): (where: string, name: string, owner?: string) => GraphProblem {
  const closest = new ClosestNames(known);
  const modules =
    known.length === 0
      ? 'the app has no modules'
      : known.length <= MOST_MODULES_LISTED
        ? `the app's modules: ${known.join(', ')}`
        : `the app has ${known.length.toLocaleString('en-US')} modules; \`kas-graph plan\` lists them`;
  return (where, name, owner) => {
    const suggestions = closest.closestTo(name);
    const didYouMean =
      suggestions.length === 0
        ? ''
        : `did you mean ${suggestions.map((suggestion) => `"${suggestion}"`).join(', ')}? `;
    return {
      code: 'KAS_UNKNOWN_MODULE',
      message: `${where} names "${name}", which is not a module of this app (${didYouMean}${modules})`,
      fix: `compose a module named "${name}", or correct the name`,
      modules: owner === undefined ? [name] : [owner, name],
    };
  };
}
