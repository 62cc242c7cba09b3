//go:build tools

// Package etcd pins the etcd server the end-to-end test's kube-apiserver stores its state in.
package etcd

import (
	_ "go.etcd.io/etcd/server/v3"
)
