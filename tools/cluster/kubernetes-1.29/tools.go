//go:build tools

// Package kubernetes pins the API server of Kubernetes 1.29, the oldest minor that builds here
// (with the providerless tag), for an acceptance-only run of the end-to-end test.
package kubernetes

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
