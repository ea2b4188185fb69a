import type { AppPlan } from '@kas/core';
import { CliError } from '../CliError.js';
import { describeThrown } from '../describeThrown.js';

/** An app from `createApp`, by the one method `kas-graph` calls. */
export interface AppLike {
  plan(): AppPlan;
}

/** What an export is to `kas-graph`: an app composition, an app, or neither. */
export type ExportKind = 'composition' | 'app' | undefined;

/** A property of an export whose getter threw while `classify` read it. */
class ExportReadError extends Error {
  constructor(
    readonly property: string,
    override readonly cause: unknown,
  ) {
    super(`reading "${property}" threw`);
  }
}

/** How an export is named in messages: `the default export`, `export "legacy"`. */
export function exportLabel(exportName: string): string {
  return exportName === 'default' ? 'the default export' : `export "${exportName}"`;
}

/**
 * Recognises compositions and apps by shape, so a second copy of `@kas/core` loaded by the entry works
 * too. A getter of the export that throws (a `modules` computed from a setting that is missing) is the
 * entry's own code failing: `KAS_GRAPH_ENTRY_LOAD_FAILED`, naming the property and what it threw.
 * `which` names the value in that message (`exportLabel`), `shown` the entry.
 */
export function classifyExport(value: unknown, which: string, shown: string): ExportKind {
  try {
    return classify(value);
  } catch (error) {
    if (!(error instanceof ExportReadError)) throw error;
    throw new CliError(
      'KAS_GRAPH_ENTRY_LOAD_FAILED',
      `reading "${error.property}" of ${which} of ${shown} threw: ${describeThrown(error.cause)}`,
      `make ${error.property} of ${which} readable without throwing once ${shown} is imported (kas-graph reads it as createApp would), or run the file with node to see the whole error`,
      { cause: error.cause },
    );
  }
}

/** Whether `value` is a graph (for listing candidates): an export whose getters throw is not one. */
export function isGraphExport(value: unknown): boolean {
  try {
    return classify(value) !== undefined;
  } catch (error) {
    if (error instanceof ExportReadError) return false;
    throw error;
  }
}

/** Calls an app's `plan()`, blaming the entry for what it throws. */
export function planOfApp(app: AppLike, which: string, shown: string): AppPlan {
  try {
    return app.plan();
  } catch (error) {
    throw new CliError(
      'KAS_GRAPH_ENTRY_LOAD_FAILED',
      `calling plan() of ${which} of ${shown} threw: ${describeThrown(error)}`,
      'export the App that createApp returns (its plan() does not throw), or an app composition',
      { cause: error },
    );
  }
}

function classify(value: unknown): ExportKind {
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Record<string, unknown>;
  const read = (object: Record<string, unknown>, key: string, path = key): unknown => {
    try {
      return object[key];
    } catch (error) {
      throw new ExportReadError(path, error);
    }
  };
  if (
    typeof read(record, 'plan') === 'function' &&
    typeof read(record, 'start') === 'function' &&
    typeof read(record, 'stop') === 'function'
  )
    return 'app';
  const modules = read(record, 'modules');
  if (
    Array.isArray(modules) &&
    modules.every(
      (module, index) =>
        typeof module === 'object' &&
        module !== null &&
        typeof read(module, 'name', `modules[${index}].name`) === 'string' &&
        typeof read(module, 'create', `modules[${index}].create`) === 'function',
    )
  )
    return 'composition';
  return undefined;
}
