// Node-only schema check of native Kubernetes objects with the kubernetes-models package
// (JSON schemas generated from Kubernetes' OpenAPI): types, enums, required fields and formats.
// It does not see unknown fields; kubectl-validate does (npm run validate).
'use strict';

const cache = new Map();

/** The kubernetes-models class for apiVersion/kind, or undefined for kinds it does not model. */
function modelFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (!cache.has(key)) {
    let model;
    try {
      model = require(`kubernetes-models/${apiVersion}/${kind}`)[kind];
    } catch {
      model = undefined;
    }
    cache.set(key, model);
  }
  return cache.get(key);
}

/**
 * Validates one object. Returns the schema errors as strings ([] when valid), or undefined
 * when the kind is not a native Kubernetes kind.
 */
function schemaErrors(object) {
  const Model = object && object.apiVersion && object.kind ? modelFor(object.apiVersion, object.kind) : undefined;
  if (!Model) return undefined;
  try {
    new Model(object).validate();
    return [];
  } catch (e) {
    return String(e.message).split(', ');
  }
}

module.exports = { schemaErrors };
