/** The bodies the benchmark asks for, by name: about 1 KB of JSON and about 1 MiB. */
export const UPSTREAM_OBJECTS = { small: 1024, large: 1024 * 1024 } as const;

/** A body size of the benchmark. */
export type BodySize = keyof typeof UPSTREAM_OBJECTS;

/** The line the upstream process prints once it serves. */
export interface UpstreamReady {
  readonly type: 'ready';
  readonly url: string;
  readonly paths: Readonly<Record<BodySize, string>>;
}
