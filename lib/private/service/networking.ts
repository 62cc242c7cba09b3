import * as kplus from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import type { InferenceServiceProps } from '../../inference-service-props';
import type { ModelServer } from '../../model-server';
import { allowBaselineEgress, denyAllNetworkPolicy, ObjectMetadata, defaultMetricsScraper } from '../network';
import { containerPorts, inferencePorts } from './server-container';

/** How a service is reached: its Service, and who may talk to its pods (see InferenceServiceProps). */
export interface ExposureOptions extends Pick<InferenceServiceProps, 'serviceType' | 'loadBalancerSourceRanges' | 'allowFrom' | 'metricsScraper'> {
  readonly metadata: ObjectMetadata;
  readonly selectorLabels: { [key: string]: string };
  readonly server: ModelServer;
  /** TCP ports of model endpoints the pods download from, besides 443. */
  readonly egressPorts?: number[];
}

/**
 * The Service in front of the pods, with the container's named ports.
 * @see https://kubernetes.io/docs/concepts/services-networking/service/
 */
export function serviceOf(scope: Construct, options: ExposureOptions): kplus.Service {
  const service = new kplus.Service(scope, 'Service', {
    metadata: options.metadata,
    type: options.serviceType ?? kplus.ServiceType.CLUSTER_IP,
    loadBalancerSourceRanges: loadBalancerSourceRanges(options),
    ports: containerPorts(options.server).map((p) => ({ name: p.name, port: p.number, targetPort: p.number })),
  });
  for (const [key, value] of Object.entries(options.selectorLabels)) service.selectLabel(key, value);
  return service;
}

/**
 * The NetworkPolicy of a service's pods: deny all, then admit the given peers (and load-balancer
 * ranges) to the inference ports and the metrics scraper to the metrics port; egress to cluster
 * DNS, HTTPS and the model endpoints only.
 * @see https://kubernetes.io/docs/concepts/services-networking/network-policies/
 */
export function serviceNetworkPolicy(scope: Construct, options: ExposureOptions): kplus.NetworkPolicy {
  const policy = denyAllNetworkPolicy(scope, 'NetworkPolicy', options.metadata, options.selectorLabels);
  allowBaselineEgress(scope, policy, options.egressPorts);
  const ports = inferencePorts(options.server).map((p) => kplus.NetworkPolicyPort.tcp(p));
  for (const peer of options.allowFrom ?? []) policy.addIngressRule(peer, ports);
  (loadBalancerSourceRanges(options) ?? []).forEach((cidr, i) =>
    policy.addIngressRule(kplus.NetworkPolicyIpBlock.ipv4(scope, `LoadBalancerSource${i}`, cidr), ports));
  const metricsPort = options.server.metricsPort;
  if (metricsPort !== undefined) {
    const scraper = options.metricsScraper ?? defaultMetricsScraper(scope);
    policy.addIngressRule(scraper, [kplus.NetworkPolicyPort.tcp(metricsPort)]);
  }
  return policy;
}

/** Client CIDRs a LoadBalancer Service admits; none for other Service types. */
function loadBalancerSourceRanges(options: ExposureOptions): string[] | undefined {
  return options.serviceType === kplus.ServiceType.LOAD_BALANCER ? options.loadBalancerSourceRanges ?? ['0.0.0.0/0'] : undefined;
}

/** Every TCP port: a port without a number (cdk8s-plus' allTcp writes port 0, which the API server refuses). */
const ALL_TCP = kplus.NetworkPolicyPort.of({ protocol: kplus.NetworkProtocol.TCP });

/**
 * Lets the members of a multi-node group reach each other on every TCP port: the distributed
 * runtime's rendezvous (vLLM 29501, SGLang 20000) and the collective library's own ports, which
 * it picks at run time.
 */
export function allowWithinGroup(scope: Construct, policy: kplus.NetworkPolicy, selectorLabels: { [key: string]: string }): void {
  const members = kplus.Pods.select(scope, 'GroupMembers', { labels: selectorLabels });
  policy.addIngressRule(members, [ALL_TCP]);
  policy.addEgressRule(members, [ALL_TCP]);
}
