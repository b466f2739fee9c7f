import { k8s } from 'cdk8s-plus-28';

/** The argocd-cm key that gives Argo CD a health check for `argoproj.io/Application`. */
export const APPLICATION_HEALTH_KEY = 'resource.customizations.health.argoproj.io_Application';
/** The argocd-cm key that selects how Argo CD tracks the objects it manages. */
export const RESOURCE_TRACKING_KEY = 'application.resourceTrackingMethod';

/**
 * The Application health check Argo CD removed from its defaults in 1.8. Without it a
 * child Application counts as healthy as soon as it exists, so the root application moves
 * to the next sync wave before the child has synced, and waves across the children of an
 * app-of-apps mean nothing.
 */
export const APPLICATION_HEALTH_LUA = [
  'hs = {}',
  'hs.status = "Progressing"',
  'hs.message = ""',
  'if obj.status ~= nil then',
  '  if obj.status.health ~= nil then',
  '    hs.status = obj.status.health.status',
  '    if obj.status.health.message ~= nil then',
  '      hs.message = obj.status.health.message',
  '    end',
  '  end',
  'end',
  'return hs',
  '',
].join('\n');

/**
 * A merge patch for the `argocd-cm` ConfigMap that restores the Application health check and
 * tracks resources by annotation.
 * Apply it once per Argo CD installation, before the root application:
 * `kubectl -n argocd patch configmap argocd-cm --type merge --patch-file <file>`.
 * It carries only these two keys, so it never overwrites the rest of argocd-cm.
 */
export function applicationHealthPatch(argoCdNamespace: string): Record<string, unknown> {
  return k8s.KubeConfigMap.manifest({
    metadata: { name: 'argocd-cm', namespace: argoCdNamespace },
    data: {
      // Argo CD's recommended tracking: before 3.0 the default tracks by the label
      // app.kubernetes.io/instance and overwrites it on every object it applies, which
      // breaks any selector across objects that reads it (a ServiceMonitor's, a user's).
      [RESOURCE_TRACKING_KEY]: 'annotation',
      [APPLICATION_HEALTH_KEY]: APPLICATION_HEALTH_LUA,
    },
  });
}
