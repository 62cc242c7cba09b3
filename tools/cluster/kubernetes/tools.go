//go:build tools

// Package kubernetes pins the Kubernetes control-plane components the end-to-end test runs on
// loopback: kube-apiserver, kube-controller-manager, kube-scheduler and a kubectl of the same release, built from the published
// k8s.io/kubernetes module. Its go.mod points every staging module at the release that matches.
package kubernetes

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
