import { k8s } from 'cdk8s-plus-28';
import { BackendTrafficPolicy as BackendTrafficPolicyBinding, toJson_BackendTrafficPolicyProps } from '../../imports/envoy-gateway-backendtrafficpolicies-gateway.envoyproxy.io';
import { HttpRoute as HttpRouteBinding, toJson_HttpRouteProps } from '../../imports/gateway-api-httproutes-gateway.networking.k8s.io';
import { ScaledObject as ScaledObjectBinding, toJson_ScaledObjectProps } from '../../imports/keda-scaledobjects-keda.sh';
import { PrometheusRule as PrometheusRuleBinding, toJson_PrometheusRuleProps } from '../../imports/prometheus-prometheusrules-monitoring.coreos.com';
import { ServiceMonitor as ServiceMonitorBinding, toJson_ServiceMonitorProps } from '../../imports/prometheus-servicemonitors-monitoring.coreos.com';
import { plainlyRendered } from './plain-api-object';

// The bindings of the objects the library creates once per function (the ones that grow
// with a fleet), rendered in one pass over their plain data (see plainlyRendered). Each is a
// subclass of the generated binding: `instanceof`, its props and its output are the same.

export const KubeDeployment = plainlyRendered(k8s.KubeDeployment, k8s.toJson_KubeDeploymentProps);
export const KubeServiceAccount = plainlyRendered(k8s.KubeServiceAccount, k8s.toJson_KubeServiceAccountProps);
export const KubeConfigMap = plainlyRendered(k8s.KubeConfigMap, k8s.toJson_KubeConfigMapProps);
export const KubeService = plainlyRendered(k8s.KubeService, k8s.toJson_KubeServiceProps);
export const KubePodDisruptionBudget = plainlyRendered(k8s.KubePodDisruptionBudget, k8s.toJson_KubePodDisruptionBudgetProps);
export const KubeNetworkPolicy = plainlyRendered(k8s.KubeNetworkPolicy, k8s.toJson_KubeNetworkPolicyProps);
export const ScaledObject = plainlyRendered(ScaledObjectBinding, toJson_ScaledObjectProps);
export const HttpRoute = plainlyRendered(HttpRouteBinding, toJson_HttpRouteProps);
export const BackendTrafficPolicy = plainlyRendered(BackendTrafficPolicyBinding, toJson_BackendTrafficPolicyProps);
export const ServiceMonitor = plainlyRendered(ServiceMonitorBinding, toJson_ServiceMonitorProps);
export const PrometheusRule = plainlyRendered(PrometheusRuleBinding, toJson_PrometheusRuleProps);
