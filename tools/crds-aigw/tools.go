//go:build tools

// Package crdsaigw pins Envoy AI Gateway's API package (AIGatewayRoute, which routes by the model a
// request names, to InferencePools) and the controller-gen it builds its CRDs with. A module of its
// own because Envoy AI Gateway pins Kubernetes libraries other than those in tools/crds.
package crdsaigw

import (
	_ "github.com/envoyproxy/ai-gateway/api/v1beta1"
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
