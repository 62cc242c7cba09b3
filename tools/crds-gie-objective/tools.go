//go:build tools

// Package crdsgieobjective pins the Gateway API Inference Extension's experimental API package
// (InferenceObjective, inference.networking.x-k8s.io/v1alpha2) at the last release that has it, and the
// controller-gen that release builds its CRDs with. It is a module of its own because that release is
// not the one tools/crds-gie pins. scripts/install-tools.sh runs controller-gen over it the way the
// extension makes its CRDs.
package crdsgieobjective

import (
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
	_ "sigs.k8s.io/gateway-api-inference-extension/apix/v1alpha2"
)
