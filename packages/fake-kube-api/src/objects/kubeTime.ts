/** The time now as Kubernetes writes its timestamps (`creationTimestamp`, `startedAt`): RFC 3339, whole seconds. */
export function kubeTimeNow(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}
