import { defineLintRule } from '../../lint/defineLintRule.js';
import type { LintRule } from '../../lint/LintRule.js';
import type { DeploymentLintContext } from '../DeploymentLintContext.js';

const FIX =
  'write the KAS_* settings that shape the stop (shutdownDeadline, the drain budgets, kubeProxy.listenGrace) into kas.yaml or as literal env values; secrets stay files, as kas reads them';

/**
 * `--manifests` lints the config kas would run with, from the ConfigMap's kas.yaml and the container's
 * literal `KAS_*` variables; what the container takes from Secrets, ConfigMaps (`envFrom`,
 * `valueFrom`) or other fields is not in the manifests' text, so the checks run without it.
 */
export function environmentUnseen(context: DeploymentLintContext | undefined): LintRule {
  return defineLintRule({
    code: 'KAS_ENVIRONMENT_UNSEEN',
    title: 'kas environment kas-graph cannot read',
    severity: 'warn',
    summary:
      'the kas container takes environment from envFrom, or KAS_* variables from a Secret, a ConfigMap key or a resource field: --manifests cannot read those values, so its plan and checks are for the config without them',
    rationale:
      'kas reads every KAS_* variable as a config key (KAS_SHUTDOWN_DEADLINE, KAS_KUBE_PROXY__LISTEN_GRACE, ...), and such keys change the stop plan and what the grace period must cover. ' +
      "kas-graph reads the Deployment's literal values and the pod fields it can stand in for (name, namespace, IP); a value taken from elsewhere is unknown to it, and a check that passes may not hold for the pod kas runs in.",
    example: [
      'envFrom: [{ configMapRef: { name: kas-env } }]  (kas-env holds KAS_SHUTDOWN_DEADLINE: 2h)',
      '-> Deployment kas/kas: the kas container takes environment kas-graph cannot read (envFrom: configMapRef kas-env): any KAS_* setting in it is not in this plan or these checks',
    ].join('\n'),
    fix: FIX,
    *check() {
      if (context === undefined) return;
      const { deployment } = context;
      for (const unseen of deployment.unseenEnvironment ?? []) {
        const location = deployment.locate(unseen.path);
        yield {
          message: `${deployment.label}: the kas container takes environment kas-graph cannot read (${unseen.description}): any KAS_* setting in it is not in this plan or these checks`,
          fix: FIX,
          modules: [],
          ...(location === undefined ? {} : { location }),
        };
      }
    },
  });
}
