//go:build tools

// Package crdseso pins External Secrets Operator's API package and the controller-gen it builds
// its CRDs with. It is a module of its own because the operator's module pins Kubernetes
// libraries and controller-tools older than those in tools/crds. scripts/install-tools.sh runs
// controller-gen over it the way the operator makes its CRDs.
package crdseso

import (
	_ "github.com/external-secrets/external-secrets/apis/externalsecrets/v1"
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
