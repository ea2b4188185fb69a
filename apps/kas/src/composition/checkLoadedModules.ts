import { type AnyModule, type AppComposition, ClosestNames, GraphError } from '@kas/core';
import { KasAppError } from '../errors/KasAppError.js';
import type { LoadedModuleSource } from './composeFromConfig.js';
import { conditionalModuleNamed, conditionalModuleProviding } from './conditionalModules.js';
import { didYouMean } from './didYouMean.js';

/**
 * A loaded module's name must be its own, and every module it names must be there. Checked here, before
 * the core's own checks, so the error points at the `modules:` entry that brought the module in. A module
 * that names one of kas's own conditional modules (`redis-connection`), or needs what it provides, while
 * the config leaves it out is told what to write in kas.yaml to have it.
 */
export function checkLoadedModules(
  composition: AppComposition,
  loadedBy: ReadonlyMap<AnyModule, LoadedModuleSource>,
): void {
  const owners = new Map<string, string>();
  for (const module of composition.modules) {
    const source = loadedBy.get(module);
    const owner = source === undefined ? 'a module of kas itself' : `modules entry "${source.entry}"`;
    const earlier = owners.get(module.name);
    if (earlier !== undefined) {
      const at = source?.at ?? 'kas.yaml';
      throw new KasAppError(
        'KAS_MODULE_NAME_TAKEN',
        `${at}: the module "${module.name}" is added by ${owner}, but that name is taken by ${earlier}`,
        'rename the loaded module (its name: in defineModule), or load it only once',
      );
    }
    owners.set(module.name, owner);
  }
  const closest = new ClosestNames(owners.keys());
  for (const [module, source] of loadedBy) {
    const named: [string, readonly string[] | undefined][] = [
      ['startAfter', module.startAfter],
      ['stop.with', module.stop?.with],
      ['stop.alongside', module.stop?.alongside],
      ['stop.after', module.stop?.after],
    ];
    for (const [field, names] of named) {
      for (const name of names ?? []) {
        if (owners.has(name)) continue;
        const conditional = conditionalModuleNamed(name);
        throw new KasAppError(
          'KAS_MODULE_RELATION_UNKNOWN',
          `${source.at}: the module "${module.name}" (modules entry "${source.entry}") names "${name}" in ${field}, which is not a module of this kas (${conditional === undefined ? didYouMean(closest.closestTo(name), '', '; ') : ''}modules: ${[...owners.keys()].join(', ')})`,
          conditional === undefined
            ? `load the module named "${name}" too (add its package to modules:), or correct the name; in TypeScript, name modules with their packages' constants (KUBE_PROXY) so a typo does not compile`
            : `"${name}" is ${conditional.composedWhen}: ${conditional.howToAdd}`,
        );
      }
    }
  }
  checkConditionalNeeds(composition, loadedBy);
}

/**
 * A loaded module that needs a token only one of kas's own conditional modules provides, while the config
 * leaves that module out: `KAS_TOKEN_NOT_PROVIDED`, as the core would say it, but at the module's entry
 * and saying what to write in kas.yaml. Other tokens nobody provides are the core's to report.
 */
function checkConditionalNeeds(
  composition: AppComposition,
  loadedBy: ReadonlyMap<AnyModule, LoadedModuleSource>,
): void {
  const provided = new Set<symbol>(composition.provide?.map((value) => value.token));
  for (const module of composition.modules) {
    for (const token of Object.values<symbol>(module.provides ?? {})) provided.add(token);
  }
  for (const [module, source] of loadedBy) {
    for (const [key, token] of Object.entries<symbol>(module.needs ?? {})) {
      const conditional = provided.has(token) ? undefined : conditionalModuleProviding(token);
      if (conditional === undefined) continue;
      throw new GraphError([
        {
          code: 'KAS_TOKEN_NOT_PROVIDED',
          message: `${source.at}: the module "${module.name}" (modules entry "${source.entry}") needs, as needs.${key}, a token only "${conditional.name}" provides, and this kas has no "${conditional.name}"`,
          fix: `"${conditional.name}" is ${conditional.composedWhen}: ${conditional.howToAdd}`,
          modules: [module.name],
        },
      ]);
    }
  }
}
