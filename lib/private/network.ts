import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { LABEL_NAME } from './labels';

/**
 * Opens the egress every workload of the library needs through `policy`: cluster DNS (UDP and
 * TCP 53 to kube-dns in kube-system) and HTTPS (TCP 443) to any address, for model hubs and
 * object stores, plus the given TCP ports to any address (an S3-compatible endpoint on 9000).
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export function allowBaselineEgress(scope: Construct, policy: kplus.NetworkPolicy, extraPorts: number[] = []): void {
  allowClusterDns(scope, policy);
  const ports = [443, ...extraPorts].map((p) => kplus.NetworkPolicyPort.tcp(p));
  policy.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv4(scope, 'AnyIpv4'), ports);
  policy.addEgressRule(kplus.NetworkPolicyIpBlock.anyIpv6(scope, 'AnyIpv6'), ports);
}

/** Opens UDP and TCP 53 to the cluster DNS (kube-dns pods in kube-system) through `policy`. */
export function allowClusterDns(scope: Construct, policy: kplus.NetworkPolicy): void {
  const dns = kplus.Pods.select(scope, 'ClusterDns', {
    labels: { 'k8s-app': 'kube-dns' },
    namespaces: kplus.Namespaces.select(scope, 'KubeSystem', { names: ['kube-system'] }),
  });
  policy.addEgressRule(dns, [kplus.NetworkPolicyPort.udp(53), kplus.NetworkPolicyPort.tcp(53)]);
}

/** Name and labels of a library object. */
export interface ObjectMetadata {
  readonly name: string;
  readonly namespace?: string;
  readonly labels?: { [key: string]: string };
}

/**
 * A NetworkPolicy that denies all ingress and egress of the pods labelled `podLabels`: every
 * workload of the library starts from it and opens only what it needs (`addIngressRule`,
 * `allowBaselineEgress`, `allowClusterDns`). Its pod selector is a child named `Pods`.
 */
export function denyAllNetworkPolicy(scope: Construct, id: string, metadata: ObjectMetadata, podLabels: { [key: string]: string }, selectorId = 'Pods'): kplus.NetworkPolicy {
  return new kplus.NetworkPolicy(scope, id, {
    metadata,
    selector: kplus.Pods.select(scope, selectorId, { labels: podLabels }),
    ingress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
    egress: { default: kplus.NetworkPolicyTrafficDefault.DENY },
  });
}

/**
 * The pods allowed to scrape a workload's metrics when the user names none: Prometheus pods
 * (`app.kubernetes.io/name=prometheus`) in namespace `monitoring`, as kube-prometheus-stack runs them.
 */
export function defaultMetricsScraper(scope: Construct): kplus.INetworkPolicyPeer {
  return kplus.Pods.select(scope, 'MetricsScraper', {
    labels: { [LABEL_NAME]: 'prometheus' },
    namespaces: kplus.Namespaces.select(scope, 'MonitoringNamespace', { names: ['monitoring'] }),
  });
}
