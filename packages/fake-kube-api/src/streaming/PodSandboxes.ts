import { PodSandbox } from '../sandbox/PodSandbox.js';

/** Each fake pod container's sandbox, made on first exec and kept while the fake runs (files survive between execs). */
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
}
