//go:build tools

// Package crdskeda pins KEDA's API package and the controller-gen it builds its CRDs with.
// It is a module of its own because KEDA requires a newer controller-tools (and Kubernetes
// libraries) than the API packages in tools/crds. scripts/install-tools.sh runs controller-gen
// over it the way KEDA makes its CRDs.
package crdskeda

import (
	_ "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
