/**
 * SCIM PATCH (RFC 7644 §3.5.2) applied to a copy of the user's representation: add, replace and remove, with or
 * without a path, including value-path filters such as `phoneNumbers[type eq "mobile"].value`. The patched copy is
 * then written like a PUT, so PATCH and PUT share one validation and one write path.
 */
import { type AttributeDefinition, definitionOf } from './discovery.js';
import { ScimError } from './errors.js';
import { type AttrPath, type Filter, matchesElement, parseAttrPath, parseFilter } from './filter.js';
import { STEPGATE_USER } from './schema-uris.js';
import type { ScimDoc } from './user-resource.js';

export interface PatchOperation {
  op: string;
  path?: string;
  value?: unknown;
}

type Op = 'add' | 'replace' | 'remove';

const invalidPath = (detail: string) => new ScimError(400, 'invalidPath', detail);
const isObject = (v: unknown): v is ScimDoc => v !== null && typeof v === 'object' && !Array.isArray(v);

interface Target {
  path: AttrPath;
  def: AttributeDefinition;
  filter?: Filter;
}

/** `attr`, `attr.sub`, `urn:…:attr`, `attr[filter]`, `attr[filter].sub`. */
function parsePath(text: string): Target {
  const rethrow = (e: unknown): never => {
    if (e instanceof ScimError) throw invalidPath(`path "${text}": ${e.message}`);
    throw e;
  };
  try {
    const open = text.indexOf('[');
    if (open < 0) {
      const path = parseAttrPath(text);
      return { path, def: definitionOf(path.schema, path.attr)! };
    }
    const close = text.lastIndexOf(']');
    if (close < open) throw invalidPath(`path "${text}" has no closing "]"`);
    const attr = parseAttrPath(text.slice(0, open));
    const filter = parseFilter(text.slice(open + 1, close), attr);
    const rest = text.slice(close + 1);
    if (rest !== '' && !rest.startsWith('.')) throw invalidPath(`path "${text}" has text after "]"`);
    const path = rest === '' ? attr : parseAttrPath(rest.slice(1), attr);
    return { path, def: definitionOf(attr.schema, attr.attr)!, filter };
  } catch (e) {
    return rethrow(e);
  }
}

function containerOf(doc: ScimDoc, path: AttrPath): ScimDoc {
  if (path.schema !== STEPGATE_USER) return doc;
  if (!isObject(doc[STEPGATE_USER])) doc[STEPGATE_USER] = {};
  return doc[STEPGATE_USER] as ScimDoc;
}

function checkMutable(doc: ScimDoc, target: Target, op: Op, value: unknown): void {
  const { def, path } = target;
  if (def.mutability === 'readOnly') throw new ScimError(400, 'mutability', `${def.name} is read-only`);
  if (path.sub && def.subAttributes?.find((s) => s.name === path.sub)?.mutability === 'readOnly')
    throw new ScimError(400, 'mutability', `${def.name}.${path.sub} is read-only`);
  if (def.mutability === 'immutable' && (op === 'remove' || value !== doc[def.name]))
    throw new ScimError(400, 'mutability', `${def.name} cannot be changed`);
  if (def.name === 'password' && op === 'remove')
    throw new ScimError(400, 'mutability', 'password cannot be removed, only replaced');
}

/** New elements replace existing ones of the same `type` (a user has one mobile number, one e-mail address). */
function addElements(existing: unknown, value: unknown): unknown[] {
  const incoming = Array.isArray(value) ? value : [value];
  const types = new Set(
    incoming
      .filter(isObject)
      .map((v) => String(v.type ?? '').toLowerCase())
      .filter((t) => t !== ''),
  );
  const kept = (Array.isArray(existing) ? existing : []).filter(
    (el) => !(isObject(el) && types.has(String(el.type ?? '').toLowerCase())),
  );
  return [...incoming, ...kept];
}

/** For `attr[sub eq "x"]` without a match: the element the filter describes, so `add`/`replace` can create it. */
function elementFromFilter(filter: Filter): ScimDoc | undefined {
  if (filter.kind === 'compare' && filter.op === 'eq' && filter.path.sub) return { [filter.path.sub]: filter.value };
  if (filter.kind === 'and') {
    const left = elementFromFilter(filter.left);
    const right = elementFromFilter(filter.right);
    return left && right ? { ...left, ...right } : undefined;
  }
  return undefined;
}

function applyToTarget(doc: ScimDoc, op: Op, target: Target, value: unknown): void {
  const { path, def, filter } = target;
  checkMutable(doc, target, op, value);
  const container = containerOf(doc, path);
  const key = def.name;

  if (def.name === 'backupCodes') {
    // write-only and never read back: add and replace both set the codes, remove clears them
    container[key] = op === 'remove' ? [] : Array.isArray(value) ? value : [value];
    return;
  }

  if (filter) {
    if (!def.multiValued || def.type !== 'complex') throw invalidPath(`${key} is not a multi-valued complex attribute`);
    const list = (Array.isArray(container[key]) ? container[key] : []) as unknown[];
    const hits = list
      .map((el, i) => (isObject(el) && matchesElement(el, { schema: path.schema, attr: key }, filter) ? i : -1))
      .filter((i) => i >= 0);
    if (op === 'remove') {
      container[key] = path.sub
        ? list.map((el, i) =>
            hits.includes(i) && isObject(el)
              ? Object.fromEntries(Object.entries(el).filter(([k]) => k !== path.sub))
              : el,
          )
        : list.filter((_, i) => !hits.includes(i));
      return;
    }
    if (hits.length === 0) {
      const created = elementFromFilter(filter);
      if (!created) throw new ScimError(400, 'noTarget', `no ${key} value matches the filter`);
      list.push(path.sub ? { ...created, [path.sub]: value } : { ...created, ...(isObject(value) ? value : {}) });
      container[key] = list;
      return;
    }
    container[key] = list.map((el, i) => {
      if (!hits.includes(i)) return el;
      if (path.sub) return { ...(el as ScimDoc), [path.sub]: value };
      if (!isObject(value)) throw new ScimError(400, 'invalidValue', `a ${key} value must be an object`);
      return op === 'replace' ? value : { ...(el as ScimDoc), ...value };
    });
    return;
  }

  if (path.sub) {
    if (def.multiValued) {
      const list = (Array.isArray(container[key]) ? container[key] : []) as unknown[];
      container[key] = list.map((el) =>
        isObject(el)
          ? op === 'remove'
            ? Object.fromEntries(Object.entries(el).filter(([k]) => k !== path.sub))
            : { ...el, [path.sub!]: value }
          : el,
      );
      return;
    }
    const obj = isObject(container[key]) ? (container[key] as ScimDoc) : {};
    if (op === 'remove') delete obj[path.sub];
    else obj[path.sub] = value;
    container[key] = obj;
    return;
  }

  if (op === 'remove') {
    delete container[key];
    return;
  }
  if (def.multiValued) {
    container[key] = op === 'add' ? addElements(container[key], value) : Array.isArray(value) ? value : [value];
    return;
  }
  if (def.type === 'complex') {
    if (!isObject(value)) throw new ScimError(400, 'invalidValue', `${key} must be an object`);
    container[key] = { ...(isObject(container[key]) ? (container[key] as ScimDoc) : {}), ...value };
    return;
  }
  container[key] = value;
}

/** `add`/`replace` without a path: each member of the value object is an attribute (or the extension object). */
function applyObject(doc: ScimDoc, op: Op, value: unknown): void {
  if (!isObject(value)) throw new ScimError(400, 'invalidValue', `${op} without a path needs an object value`);
  for (const [k, v] of Object.entries(value)) {
    if (k.toLowerCase() === STEPGATE_USER.toLowerCase()) {
      if (!isObject(v)) throw new ScimError(400, 'invalidValue', `${STEPGATE_USER} must be an object`);
      for (const [k2, v2] of Object.entries(v)) applyToTarget(doc, op, parsePath(`${STEPGATE_USER}:${k2}`), v2);
    } else if (k.toLowerCase() === 'schemas') {
      // clients often echo `schemas`; it does not change anything
    } else {
      applyToTarget(doc, op, parsePath(k), v);
    }
  }
}

export function applyPatch(current: ScimDoc, operations: PatchOperation[]): ScimDoc {
  const doc = structuredClone(current);
  delete doc.meta;
  for (const [i, operation] of operations.entries()) {
    const op = String(operation.op ?? '').toLowerCase();
    if (op !== 'add' && op !== 'replace' && op !== 'remove')
      throw new ScimError(400, 'invalidSyntax', `Operations[${i}].op must be add, replace or remove`);
    const path = operation.path?.trim();
    if (!path) {
      if (op === 'remove') throw new ScimError(400, 'noTarget', `Operations[${i}]: remove needs a path`);
      applyObject(doc, op, operation.value);
      continue;
    }
    if (path.toLowerCase() === STEPGATE_USER.toLowerCase()) {
      if (op === 'remove') doc[STEPGATE_USER] = { smsOtpDisabled: false, backupCodes: [] };
      else applyObject(doc, op, { [STEPGATE_USER]: operation.value });
      continue;
    }
    if (op !== 'remove' && operation.value === undefined)
      throw new ScimError(400, 'invalidValue', `Operations[${i}]: ${op} needs a value`);
    applyToTarget(doc, op, parsePath(path), operation.value);
  }
  return doc;
}
