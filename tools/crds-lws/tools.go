//go:build tools

// Package crdslws pins LeaderWorkerSet's API package and the controller-gen it builds its CRDs
// with. It is a module of its own because LeaderWorkerSet pins Kubernetes libraries and
// controller-tools other than those in tools/crds. scripts/install-tools.sh runs controller-gen
// over it the way LeaderWorkerSet makes its CRDs.
package crdslws

import (
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
	_ "sigs.k8s.io/lws/api/leaderworkerset/v1"
)
