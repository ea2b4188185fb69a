import { PodSandbox } from '../sandbox/PodSandbox.js';

/**
 * Each fake pod container's sandbox, made on first use and kept while its container lives: files survive
 * between execs, not a restart of the container (it starts from its image again) nor the pod's deletion (a
 * new pod of the same name starts empty).
 */
export class PodSandboxes {
  readonly #sandboxes = new Map<string, PodSandbox>();

  of(namespace: string, pod: string, container: string): PodSandbox {
    const key = `${namespace}/${pod}/${container}`;
    let sandbox = this.#sandboxes.get(key);
    if (sandbox === undefined) {
      sandbox = new PodSandbox(pod, namespace, container);
      this.#sandboxes.set(key, sandbox);
    }
    return sandbox;
  }

  /** The container restarted: its next use gets a fresh sandbox. */
  reset(namespace: string, pod: string, container: string): void {
    this.#sandboxes.delete(`${namespace}/${pod}/${container}`);
  }

  /** The pod was deleted: its containers' sandboxes go with it. */
  forget(namespace: string, pod: string): void {
    const prefix = `${namespace}/${pod}/`;
    for (const key of this.#sandboxes.keys()) if (key.startsWith(prefix)) this.#sandboxes.delete(key);
  }
}
