//go:build tools

// Package crds pins the generators and the upstream API packages whose CustomResourceDefinitions
// the project validates against and imports typed classes from. scripts/install-tools.sh runs
// them the way the upstream projects make their CRDs: Gateway API's own generator (standard
// channel), and controller-gen over the API packages of prometheus-operator, Envoy Gateway,
// Traefik and Argo Rollouts.
package crds

import (
	_ "github.com/argoproj/argo-rollouts/pkg/apis/rollouts/v1alpha1"
	_ "github.com/envoyproxy/gateway/api/v1alpha1"
	_ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	_ "github.com/traefik/traefik/v3/pkg/provider/kubernetes/crd/traefikio/v1alpha1"
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
	_ "sigs.k8s.io/gateway-api/pkg/generator"
)
