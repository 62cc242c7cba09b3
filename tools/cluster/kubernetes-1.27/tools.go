//go:build tools

// Package kubernetes pins the API server of Kubernetes 1.27, the library's default target and the
// oldest minor it supports, for an acceptance-only run of the end-to-end test (built providerless).
package kubernetes

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
)
