// cdk8s validation plugin: the fast, Node-only checks at `cdk8s synth`.
//
//   validations:
//     - package: ./node_modules/cdk8s-inference/validation/plugin.js   (or ./validation/plugin.js here)
//       version: 0.1.0
//       class: InferenceValidation
//
// It reports, with construct paths, (1) schema errors of native objects (kubernetes-models) and
// (2) the library's cross-object rules over everything synthesized (selectors match pods, ports
// exist, PodDisruptionBudgets allow a disruption, grace periods cover preStop, /dev/shm for GPUs).
'use strict';
const loadLib = require('./load-lib');
const { schemaErrors } = require('./schema');

class InferenceValidation {
  constructor(properties = {}) {
    this.properties = properties;
  }

  async validate(context) {
    const { checkManifests, INVARIANT_RULES } = loadLib();
    const objects = [];
    for (const manifestPath of context.manifests) {
      for (const object of context.parseManifest(manifestPath)) {
        if (object) objects.push({ object, manifestPath });
      }
    }
    const byRule = new Map();
    const violate = (rule, recommendation, fix, resourceName, manifestPath, location) => {
      const v = byRule.get(rule) ?? { ruleName: rule, recommendation, fix, violatingResources: [] };
      v.violatingResources.push({ resourceName, manifestPath, locations: [location] });
      byRule.set(rule, v);
    };

    for (const { object, manifestPath } of objects) {
      for (const error of schemaErrors(object) ?? []) {
        violate('kubernetes-schema', 'Native objects must match the Kubernetes API schema',
          'correct the field named in the location', object.metadata?.name, manifestPath, `${object.kind}: ${error}`);
      }
    }
    const manifestOf = new Map(objects.map(({ object, manifestPath }) => [`${object.kind}/${object.metadata?.namespace ?? '(default)'}/${object.metadata?.name}`, manifestPath]));
    for (const finding of checkManifests(objects.map((o) => o.object))) {
      violate(finding.rule, INVARIANT_RULES[finding.rule], finding.fix, finding.object.split('/')[2],
        manifestOf.get(finding.object) ?? context.manifests[0], `${finding.object}: ${finding.message}`);
    }

    for (const violation of byRule.values()) context.report.addViolation(violation);
    context.report.submit(byRule.size === 0 ? 'success' : 'failure', { objects: String(objects.length) });
  }
}

module.exports = { InferenceValidation };
