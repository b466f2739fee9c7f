import { k8s } from 'cdk8s-plus-28';
import { BackendTrafficPolicy as BackendTrafficPolicyBinding, toJson_BackendTrafficPolicyProps } from '../../imports/envoy-gateway-backendtrafficpolicies-gateway.envoyproxy.io';
import { HttpRoute as HttpRouteBinding, toJson_HttpRouteProps } from '../../imports/gateway-api-httproutes-gateway.networking.k8s.io';
import { ScaledObject as ScaledObjectBinding, toJson_ScaledObjectProps } from '../../imports/keda-scaledobjects-keda.sh';
import { PrometheusRule as PrometheusRuleBinding, toJson_PrometheusRuleProps } from '../../imports/prometheus-prometheusrules-monitoring.coreos.com';
import { ServiceMonitor as ServiceMonitorBinding, toJson_ServiceMonitorProps } from '../../imports/prometheus-servicemonitors-monitoring.coreos.com';
import { Config as ConfigBinding, toJson_ConfigProps } from '../../imports/gatekeeper-configs-config.gatekeeper.sh';
import { ConstraintTemplate as ConstraintTemplateBinding, toJson_ConstraintTemplateProps } from '../../imports/gatekeeper-constrainttemplates-templates.gatekeeper.sh';
import { GatewayClass as GatewayClassBinding, toJson_GatewayClassProps } from '../../imports/gateway-api-gatewayclasses-gateway.networking.k8s.io';
import { Gateway as GatewayBinding, toJson_GatewayProps } from '../../imports/gateway-api-gateways-gateway.networking.k8s.io';
import { ReferenceGrantV1Beta1 as ReferenceGrantV1Beta1Binding, toJson_ReferenceGrantV1Beta1Props } from '../../imports/gateway-api-referencegrants-gateway.networking.k8s.io';
import { SecurityPolicy as SecurityPolicyBinding, toJson_SecurityPolicyProps } from '../../imports/envoy-gateway-securitypolicies-gateway.envoyproxy.io';
import { Application as ApplicationBinding, toJson_ApplicationProps } from '../../imports/argocd-applications-argoproj.io';
import { AppProject as AppProjectBinding, toJson_AppProjectProps } from '../../imports/argocd-appprojects-argoproj.io';
import { plainlyRendered } from './plain-api-object';

// The bindings of the objects the library creates, rendered in one pass over their plain data
// (see plainlyRendered): the ones created once per function grow with a fleet, and the
// platform's own (namespaces, admission policies, the authorizer, the gateway) are most of the
// fixed cost of a small one. Each is a subclass of the generated binding: `instanceof`, its
// props and its output are the same.

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
export const KubeNamespace = plainlyRendered(k8s.KubeNamespace, k8s.toJson_KubeNamespaceProps);
export const KubeRuntimeClass = plainlyRendered(k8s.KubeRuntimeClass, k8s.toJson_KubeRuntimeClassProps);
export const KubeHorizontalPodAutoscalerV2 = plainlyRendered(k8s.KubeHorizontalPodAutoscalerV2, k8s.toJson_KubeHorizontalPodAutoscalerV2Props);
export const KubeLimitRange = plainlyRendered(k8s.KubeLimitRange, k8s.toJson_KubeLimitRangeProps);
export const KubeRole = plainlyRendered(k8s.KubeRole, k8s.toJson_KubeRoleProps);
export const KubeRoleBinding = plainlyRendered(k8s.KubeRoleBinding, k8s.toJson_KubeRoleBindingProps);
export const KubeClusterRoleBinding = plainlyRendered(k8s.KubeClusterRoleBinding, k8s.toJson_KubeClusterRoleBindingProps);
export const ConstraintTemplate = plainlyRendered(ConstraintTemplateBinding, toJson_ConstraintTemplateProps);
export const Config = plainlyRendered(ConfigBinding, toJson_ConfigProps);
export const GatewayClass = plainlyRendered(GatewayClassBinding, toJson_GatewayClassProps);
export const Gateway = plainlyRendered(GatewayBinding, toJson_GatewayProps);
export const SecurityPolicy = plainlyRendered(SecurityPolicyBinding, toJson_SecurityPolicyProps);
export const ReferenceGrantV1Beta1 = plainlyRendered(ReferenceGrantV1Beta1Binding, toJson_ReferenceGrantV1Beta1Props);
export const Application = plainlyRendered(ApplicationBinding, toJson_ApplicationProps);
export const AppProject = plainlyRendered(AppProjectBinding, toJson_AppProjectProps);
