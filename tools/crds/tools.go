//go:build tools

// Package crds pins the generator and the upstream API packages whose CustomResourceDefinitions
// the project validates against and imports typed classes from. scripts/install-tools.sh runs
// controller-gen over these packages, as the upstream projects do to produce their CRDs.
package crds

import (
	_ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	_ "sigs.k8s.io/controller-tools/cmd/controller-gen"
)
