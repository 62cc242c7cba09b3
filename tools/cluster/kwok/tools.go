//go:build tools

// Package kwok pins kwok, which simulates the end-to-end test's nodes and the pod lifecycles on
// them (no kubelet, no container runtime: pods become Running and Ready by kwok's stages).
package kwok

import (
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
