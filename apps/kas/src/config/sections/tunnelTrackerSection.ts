import {
  type TunnelTrackerConfig,
  tunnelTrackerConfigSchema,
  tunnelTrackerModule,
} from '@kas/module-tunnel-tracker';
import { z } from 'zod';
import type { KasSection, KasSectionContext } from '../KasSection.js';

const [redisTracker] = tunnelTrackerConfigSchema.options;
const moduleKeys = redisTracker.shape;

/** `tunnelTracker:` in kas.yaml: the module's timings; the store follows from whether `redis:` is set. */
export const tunnelTrackerSectionSchema = z
  .strictObject({
    entryTtl: moduleKeys.entryTtl,
    refreshPeriod: moduleKeys.refreshPeriod,
    cleanUpPeriod: moduleKeys.cleanUpPeriod,
    entryCheckPeriod: moduleKeys.entryCheckPeriod,
    unregisterDelay: moduleKeys.unregisterDelay,
    keyPrefix: moduleKeys.keyPrefix.describe(
      'Prefix of every Redis key, so several kas deployments can share one Redis. No `{` or `}`.',
    ),
    drainBudget: moduleKeys.drainBudget,
  })
  .prefault({})
  .describe(
    "Which replica holds which agent's tunnels: the `tunnel-tracker` module, in Redis when `redis:` is set, else in this process. See the tracker's README for the Redis layout.",
  );

/** The `tunnel-tracker` module's config: the Redis store when `redis:` is set, else the in-memory one. */
export function toTunnelTrackerConfig(
  section: z.output<typeof tunnelTrackerSectionSchema>,
  { config }: Pick<KasSectionContext, 'config'>,
): TunnelTrackerConfig {
  const { keyPrefix, ...timings } = section;
  return config.redis === undefined
    ? { store: 'memory', ...timings }
    : { store: 'redis', keyPrefix, ...timings };
}

/** `tunnelTracker:`: the shared tunnel directory. */
export const tunnelTrackerSection: KasSection<'tunnelTracker', typeof tunnelTrackerSectionSchema> = {
  key: 'tunnelTracker',
  schema: tunnelTrackerSectionSchema,
  create: async (section, kas) => [tunnelTrackerModule(toTunnelTrackerConfig(section, kas))],
};
