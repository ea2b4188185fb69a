import { type AnyModule, defineModule } from '@kas/core';

/** A module that is only its declaration: lint tests never start it. */
export function declare(declaration: Omit<AnyModule, 'create'>): AnyModule {
  return defineModule({
    ...declaration,
    create: () => ({ start: async () => {}, stop: async () => {}, provides: {} }),
  });
}
