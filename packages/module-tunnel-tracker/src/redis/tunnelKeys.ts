import calculateSlot from 'cluster-key-slot';

/**
 * How many buckets agents are spread over. A bucket is a Redis Cluster hash tag (`{00}` .. `{ff}`):
 * every key of one bucket lives in one slot, so an agent's record and the index entries that point at
 * it sit together, and the few hundred buckets spread the directory over every shard. Changing it
 * changes the layout: all replicas sharing a prefix must agree.
 */
export const BUCKET_COUNT = 256;

/** Every bucket tag, `00` .. `ff`. */
export const ALL_BUCKETS: readonly string[] = Array.from({ length: BUCKET_COUNT }, (_, index) =>
  index.toString(16).padStart(2, '0'),
);

/** The bucket of an agent: its own hash slot (CRC16, as Redis Cluster computes it) modulo the bucket count. */
export function bucketOf(agentId: string): string {
  return (calculateSlot(agentId) % BUCKET_COUNT).toString(16).padStart(2, '0');
}

/** The agent's record: a hash of `replicaId -> "<expiresAtMs>|<privateAddress>"`. */
export function agentKey(prefix: string, agentId: string): string {
  return `${prefix}:{${bucketOf(agentId)}}:agent:${agentId}`;
}

/** A replica's index in one bucket: a sorted set of agent ids scored by their entry's expiry. */
export function indexKey(prefix: string, bucket: string, replicaId: string): string {
  return `${prefix}:{${bucket}}:replica:${replicaId}`;
}

/**
 * A replica's marker in one bucket (the first bucket of each shard's group): written by every sync with
 * the entries' expiry, so its absence means this replica's entries on that shard were lost.
 */
export function markerKey(prefix: string, bucket: string, replicaId: string): string {
  return `${prefix}:{${bucket}}:present:${replicaId}`;
}

/** The hash slot of every key of a bucket. */
export function slotOfBucket(prefix: string, bucket: string): number {
  return calculateSlot(indexKey(prefix, bucket, ''));
}
