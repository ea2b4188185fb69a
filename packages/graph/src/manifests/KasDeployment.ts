import type { SourceLocation } from '../lint/LintRule.js';
import type { FieldPath } from './locateField.js';

/** The settings of a kas Deployment that its stop depends on, read from its manifests. */
export interface KasDeployment {
  /** `Deployment <namespace>/<name>`, for messages. */
  readonly label: string;
  readonly containerName: string;
  /** `terminationGracePeriodSeconds` (Kubernetes' default 30 when not set). */
  readonly terminationGraceSeconds: number;
  readonly isTerminationGraceDefault: boolean;
  /** How long a preStop hook delays SIGTERM: `sleep.seconds`, or an exec of `sleep N`; 0 without one. */
  readonly preStopDelaySeconds: number;
  /** The readiness probe's timing (Kubernetes' defaults filled in), when the container has one. */
  readonly readiness?: { readonly periodSeconds: number; readonly failureThreshold: number };
  /** kas.yaml from the ConfigMap the container's `--config` names, and the container's environment. */
  readonly config: {
    readonly text: string;
    /** Names it in messages: `kas.yaml of ConfigMap kas/kas-5fh2k`. */
    readonly label: string;
    readonly env: Readonly<Record<string, string>>;
  };
  /** Where a field of this Deployment is set in the manifests (or where it would go). */
  locate(path: FieldPath): SourceLocation | undefined;
}

/** Field paths of the pod template the checks point at. */
export const POD_SPEC: FieldPath = ['spec', 'template', 'spec'];
