// fieldSelector and labelSelector as the API server reads them.
import type { KObject } from "./store.ts";

type Matcher = (o: KObject) => boolean;

function get(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

/** Fields each kind supports in field selectors (metadata.name and metadata.namespace everywhere). */
const FIELDS: Record<string, string[]> = {
  Pod: [
    "spec.nodeName",
    "spec.serviceAccountName",
    "status.phase",
    "status.podIP",
    "spec.restartPolicy",
    "spec.schedulerName",
  ],
  Event: [
    "involvedObject.kind",
    "involvedObject.namespace",
    "involvedObject.name",
    "involvedObject.uid",
    "involvedObject.apiVersion",
    "involvedObject.resourceVersion",
    "involvedObject.fieldPath",
    "reason",
    "reportingComponent",
    "source",
    "type",
  ],
  Secret: ["type"],
  Node: ["spec.unschedulable"],
  Namespace: ["status.phase"],
  ReplicaSet: ["status.replicas"],
  Job: ["status.successful"],
};

/** events.k8s.io/v1 names for the same event fields. */
const EVENTS_V1_ALIASES: Record<string, string> = {
  "regarding.kind": "involvedObject.kind",
  "regarding.namespace": "involvedObject.namespace",
  "regarding.name": "involvedObject.name",
  "regarding.uid": "involvedObject.uid",
  "regarding.apiVersion": "involvedObject.apiVersion",
  "regarding.resourceVersion": "involvedObject.resourceVersion",
  "regarding.fieldPath": "involvedObject.fieldPath",
  deprecatedSource: "source",
};

export class SelectorError extends Error {}

function fieldValue(o: KObject, field: string): string {
  if (field === "source") return String(get(o, "source.component") ?? "");
  const v = get(o, field);
  return v === undefined || v === null ? "" : String(v);
}

export function parseFieldSelector(selector: string | null, kind: string, eventsV1 = false): Matcher {
  if (!selector) return () => true;
  const allowed = new Set(["metadata.name", "metadata.namespace", ...(FIELDS[kind] ?? [])]);
  const terms = selector
    .split(",")
    .filter(Boolean)
    .map((term) => {
      const m = /^([^!=]+)(==|=|!=)(.*)$/.exec(term.trim());
      if (!m) throw new SelectorError(`invalid field selector: ${term}`);
      let field = (m[1] as string).trim();
      if (eventsV1) field = EVENTS_V1_ALIASES[field] ?? field;
      if (!allowed.has(field)) {
        throw new SelectorError(`field label not supported: ${(m[1] as string).trim()}`);
      }
      const negate = m[2] === "!=";
      const value = m[3] as string;
      return (o: KObject) => (fieldValue(o, field) === value) !== negate;
    });
  return (o) => terms.every((t) => t(o));
}

/** Splits on commas outside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")") depth--;
    else if (s[i] === "," && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((t) => t.trim()).filter(Boolean);
}

export function parseLabelSelector(selector: string | null): Matcher {
  if (!selector) return () => true;
  const terms = splitTerms(selector).map((term): Matcher => {
    const labels = (o: KObject) => (o.metadata.labels ?? {}) as Record<string, string>;
    let m = /^(\S+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
    if (m) {
      const key = m[1] as string;
      const values = new Set((m[3] as string).split(",").map((v) => v.trim()));
      return m[2] === "in"
        ? (o) => values.has(labels(o)[key] as string)
        : (o) => !values.has(labels(o)[key] as string);
    }
    m = /^([^!=\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term);
    if (m) {
      const key = m[1] as string;
      const value = m[3] as string;
      return m[2] === "!=" ? (o) => labels(o)[key] !== value : (o) => labels(o)[key] === value;
    }
    m = /^(!?)([A-Za-z0-9._/-]+)$/.exec(term);
    if (m) {
      const key = m[2] as string;
      return m[1] ? (o) => !(key in labels(o)) : (o) => key in labels(o);
    }
    throw new SelectorError(`unable to parse requirement: ${term}`);
  });
  return (o) => terms.every((t) => t(o));
}
