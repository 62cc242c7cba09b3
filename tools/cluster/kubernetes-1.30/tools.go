//go:build tools

// Package kubernetes pins the API server of the oldest Kubernetes minor the manifests target
// (1.30, where ValidatingAdmissionPolicy is GA), for an acceptance-only run of the end-to-end test.
package kubernetes

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
