import type { KubeObject } from './renderKustomization.js';

/**
 * Validates an object against the Kubernetes API schema of its apiVersion and kind, with the validators
 * the `kubernetes-models` package compiled from the Kubernetes OpenAPI (v1.33.0 in 4.5.1: the newest
 * release that runs on Node 20). Resolves with the problems, empty when the object is valid.
 */
export async function validateKubeObject(object: KubeObject): Promise<string[]> {
  const [group, version] = object.apiVersion.includes('/')
    ? object.apiVersion.split('/')
    : [undefined, object.apiVersion];
  const path = `kubernetes-models/${group === undefined ? '' : `${group}/`}${version}/${object.kind}`;
  let model: { new (data: unknown): { validate(): void } };
  try {
    model = ((await import(path)) as Record<string, typeof model>)[object.kind] as typeof model;
  } catch (error) {
    return [`no schema for ${object.apiVersion} ${object.kind}: ${(error as Error).message}`];
  }
  try {
    new model(object).validate();
    return [];
  } catch (error) {
    return (error as Error).message.split(/, (?=data\/)/);
  }
}
