//go:build tools

// Package crdsgie pins the Gateway API Inference Extension's API package (InferencePool) and the
// controller-gen it builds its CRDs with. It is a module of its own because the extension pins
// Kubernetes libraries and controller-tools other than those in tools/crds. scripts/install-tools.sh
// runs controller-gen over it the way the extension makes its CRDs.
package crdsgie

import (
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
	_ "sigs.k8s.io/gateway-api-inference-extension/api/v1"
)
