// Command psa-check evaluates every pod template in Kubernetes YAML files against a Pod Security
// Standards level, using the Pod Security Admission library that the kube-apiserver itself runs.
//
// Like admission, it uses the level a Namespace among the files enforces
// (pod-security.kubernetes.io/enforce and enforce-version labels) for the pods in it, and the
// --level and --version flags for pods in namespaces the files do not define.
//
// Usage: psa-check [--level restricted] [--version latest|v1.27] FILE...
// Prints one line per violation ("file: Kind/namespace/name: level: reason (detail)") and exits
// 1 when there is any, 2 on unreadable input.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/pod-security-admission/api"
	"k8s.io/pod-security-admission/policy"
)

// templatePaths says where each workload kind keeps its pod template.
var templatePaths = map[string][]string{
	"Pod":                   {},
	"Deployment":            {"spec", "template"},
	"StatefulSet":           {"spec", "template"},
	"DaemonSet":             {"spec", "template"},
	"ReplicaSet":            {"spec", "template"},
	"ReplicationController": {"spec", "template"},
	"Job":                   {"spec", "template"},
	"CronJob":               {"spec", "jobTemplate", "spec", "template"},
	"PodTemplate":           {"template"},
	"Rollout":               {"spec", "template"},
}

func main() {
	level := flag.String("level", "restricted", "Pod Security Standards level: baseline or restricted")
	version := flag.String("version", "latest", "policy version, e.g. latest or 1.27")
	flag.Parse()

	lvl, err := api.ParseLevel(*level)
	if err != nil {
		fail(err)
	}
	ver, err := api.ParseVersion(*version)
	if err != nil {
		fail(err)
	}
	evaluator, err := policy.NewEvaluator(policy.DefaultChecks())
	if err != nil {
		fail(err)
	}

	type document struct {
		file string
		doc  map[string]interface{}
	}
	var docs []document
	for _, file := range flag.Args() {
		data, err := os.ReadFile(file)
		if err != nil {
			fail(err)
		}
		decoder := yaml.NewYAMLOrJSONDecoder(bytes.NewReader(data), 4096)
		for {
			var doc map[string]interface{}
			if err := decoder.Decode(&doc); err != nil {
				if errors.Is(err, io.EOF) {
					break
				}
				fail(fmt.Errorf("%s: %w", file, err))
			}
			if doc != nil {
				docs = append(docs, document{file, doc})
			}
		}
	}

	// The level each Namespace among the files enforces.
	enforced := map[string]api.LevelVersion{}
	for _, d := range docs {
		if d.doc["kind"] != "Namespace" {
			continue
		}
		meta, _ := d.doc["metadata"].(map[string]interface{})
		labels, _ := meta["labels"].(map[string]interface{})
		name, _ := meta["name"].(string)
		lv := api.LevelVersion{Level: lvl, Version: ver}
		if l, ok := labels[api.EnforceLevelLabel].(string); ok {
			if parsed, err := api.ParseLevel(l); err == nil {
				lv.Level = parsed
			}
		}
		if v, ok := labels[api.EnforceVersionLabel].(string); ok {
			if parsed, err := api.ParseVersion(v); err == nil {
				lv.Version = parsed
			}
		}
		enforced[name] = lv
	}

	violations, pods := 0, 0
	for _, d := range docs {
		file, doc := d.file, d.doc
		{
			kind, _ := doc["kind"].(string)
			path, ok := templatePaths[kind]
			if !ok {
				continue
			}
			template := dig(doc, path)
			if template == nil {
				continue
			}
			var pod corev1.PodTemplateSpec
			raw, _ := json.Marshal(template)
			if err := json.Unmarshal(raw, &pod); err != nil {
				fail(fmt.Errorf("%s: %s: %w", file, kind, err))
			}
			pods++
			meta, _ := doc["metadata"].(map[string]interface{})
			namespace, _ := meta["namespace"].(string)
			lv, ok := enforced[namespace]
			if !ok {
				lv = api.LevelVersion{Level: lvl, Version: ver}
			}
			for _, result := range evaluator.EvaluatePod(lv, &pod.ObjectMeta, &pod.Spec) {
				if !result.Allowed {
					violations++
					fmt.Printf("%s: %s/%v/%v: %s: %s (%s)\n", file, kind, meta["namespace"], meta["name"], lv.Level, result.ForbiddenReason, result.ForbiddenDetail)
				}
			}
		}
	}
	fmt.Fprintf(os.Stderr, "psa-check: %d pod templates checked against %s (%s), %d violations\n", pods, *level, *version, violations)
	if violations > 0 {
		os.Exit(1)
	}
}

// dig returns the object at path inside doc (doc itself for an empty path).
func dig(doc map[string]interface{}, path []string) map[string]interface{} {
	current := doc
	for _, key := range path {
		next, ok := current[key].(map[string]interface{})
		if !ok {
			return nil
		}
		current = next
	}
	return current
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "psa-check:", err)
	os.Exit(2)
}
