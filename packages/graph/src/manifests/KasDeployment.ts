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
  /** `spec.replicas` (Kubernetes' default 1 when not set). */
  readonly replicas: number;
  /** A HorizontalPodAutoscaler among the manifests that scales this Deployment. */
  readonly autoscaler?: {
    /** `HorizontalPodAutoscaler <namespace>/<name>`, for messages. */
    readonly label: string;
    readonly maxReplicas: number;
  };
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
  /**
   * Environment of the kas container that kas-graph cannot read, so `config.env` lacks it: each
   * `envFrom` source, and each `KAS_*` variable whose value comes from a Secret, a ConfigMap or a field
   * other than the pod's name, namespace and IP. Such a value may change the stop plan the checks see.
   */
  readonly unseenEnvironment?: readonly UnseenEnvironment[];
  /** Where a field of this Deployment is set in the manifests (or where it would go). */
  locate(path: FieldPath): SourceLocation | undefined;
}

/** Field paths of the pod template the checks point at. */
export const POD_SPEC: FieldPath = ['spec', 'template', 'spec'];

/** One source of the kas container's environment that `--manifests` cannot read. */
export interface UnseenEnvironment {
  /** `envFrom: configMapRef kas-env`, `env KAS_SHUTDOWN_DEADLINE: secretKeyRef kas-settings/deadline` */
  readonly description: string;
  /** Its field, for the finding's location. */
  readonly path: FieldPath;
}
