/**
 * SCIM filters (RFC 7644 §3.4.2.2): parse into a small tree and evaluate against a User representation.
 * Supports eq ne co sw ew gt ge lt le pr, and / or / not, parentheses, value paths (`emails[type eq "work"]`),
 * and the common `phoneNumbers[type eq "mobile"].value eq "…"` form. Attribute names are case-insensitive.
 */
import { definitionOf } from './discovery.js';
import { ScimError } from './errors.js';
import { CORE_USER, STEPGATE_USER } from './schema-uris.js';

export type CompareOp = 'eq' | 'ne' | 'co' | 'sw' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
export type Literal = string | number | boolean | null;

/** An attribute path: schema URN, attribute and optional sub-attribute, names in their canonical spelling. */
export interface AttrPath {
  schema: string;
  attr: string;
  sub?: string;
}

export type Filter =
  | { kind: 'compare'; path: AttrPath; op: CompareOp; value: Literal }
  | { kind: 'present'; path: AttrPath }
  | { kind: 'and' | 'or'; left: Filter; right: Filter }
  | { kind: 'not'; filter: Filter }
  | { kind: 'valuePath'; attr: AttrPath; filter: Filter };

const OPS = new Set(['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le']);
const invalid = (detail: string) => new ScimError(400, 'invalidFilter', detail);

type Token = { t: 'word'; v: string } | { t: 'string'; v: string } | { t: '(' | ')' | '[' | ']' };

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if ('()[]'.includes(c)) {
      out.push({ t: c as '(' });
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) throw invalid('unterminated string');
      try {
        out.push({ t: 'string', v: JSON.parse(text.slice(i, j + 1)) as string });
      } catch {
        throw invalid('bad string escape');
      }
      i = j + 1;
    } else {
      const m = /^[^\s()[\]"]+/.exec(text.slice(i));
      out.push({ t: 'word', v: m![0] });
      i += m![0].length;
    }
  }
  return out;
}

/** `userName`, `name.givenName`, `urn:…:User:userName`, `urn:stepgate:…:User:smsOtpDisabled`. */
export function parseAttrPath(text: string, parent?: AttrPath): AttrPath {
  let schema = CORE_USER;
  let rest = text;
  if (/^urn:/i.test(text)) {
    for (const urn of [CORE_USER, STEPGATE_USER]) {
      if (text.toLowerCase().startsWith(`${urn.toLowerCase()}:`)) {
        schema = urn;
        rest = text.slice(urn.length + 1);
      }
    }
    if (rest === text) throw invalid(`unknown schema in "${text}"`);
  }
  if (parent) {
    const sub = definitionOf(parent.schema, parent.attr)?.subAttributes?.find(
      (s) => s.name.toLowerCase() === rest.toLowerCase(),
    );
    if (!sub) throw invalid(`"${rest}" is not a sub-attribute of ${parent.attr}`);
    return { schema: parent.schema, attr: parent.attr, sub: sub.name };
  }
  const [name, sub, extra] = rest.split('.');
  if (!name || extra !== undefined || !/^[A-Za-z$][\w$-]*$/.test(name))
    throw invalid(`"${text}" is not an attribute path`);
  const def = definitionOf(schema, name);
  if (!def) throw invalid(`unknown attribute "${name}"`);
  if (sub === undefined) return { schema, attr: def.name };
  const subDef = def.subAttributes?.find((s) => s.name.toLowerCase() === sub.toLowerCase());
  if (!subDef) throw invalid(`unknown sub-attribute "${sub}" of ${def.name}`);
  return { schema, attr: def.name, sub: subDef.name };
}

function literal(tok: Token | undefined): Literal {
  if (!tok) throw invalid('a comparison needs a value');
  if (tok.t === 'string') return tok.v;
  if (tok.t !== 'word') throw invalid('a comparison needs a value');
  if (tok.v === 'true') return true;
  if (tok.v === 'false') return false;
  if (tok.v === 'null') return null;
  if (/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(tok.v)) return Number(tok.v);
  throw invalid(`"${tok.v}" is not a value; quote strings`);
}

/** Parses a filter; with `parent`, the filter inside a value path, whose names are sub-attributes of `parent`. */
export function parseFilter(text: string, parent?: AttrPath): Filter {
  if (text.length > 2048) throw invalid('the filter is too long');
  const tokens = tokenize(text);
  let pos = 0;
  const peekWord = () => (tokens[pos]?.t === 'word' ? (tokens[pos] as { v: string }).v.toLowerCase() : undefined);
  const expect = (t: Token['t']) => {
    if (tokens[pos]?.t !== t) throw invalid(`expected "${t}"`);
    pos++;
  };

  function orExpr(parent?: AttrPath): Filter {
    let left = andExpr(parent);
    while (peekWord() === 'or') {
      pos++;
      left = { kind: 'or', left, right: andExpr(parent) };
    }
    return left;
  }
  function andExpr(parent?: AttrPath): Filter {
    let left = unary(parent);
    while (peekWord() === 'and') {
      pos++;
      left = { kind: 'and', left, right: unary(parent) };
    }
    return left;
  }
  function unary(parent?: AttrPath): Filter {
    if (peekWord() === 'not' && tokens[pos + 1]?.t === '(') {
      pos++;
      return { kind: 'not', filter: unary(parent) };
    }
    if (tokens[pos]?.t === '(') {
      pos++;
      const inner = orExpr(parent);
      expect(')');
      return inner;
    }
    return attrExpr(parent);
  }
  function attrExpr(parent?: AttrPath): Filter {
    const tok = tokens[pos++];
    if (tok?.t !== 'word') throw invalid('expected an attribute name');
    if (tokens[pos]?.t === '[') {
      if (parent) throw invalid('value paths cannot nest');
      pos++;
      const attr = parseAttrPath(tok.v);
      const inner = orExpr(attr);
      expect(']');
      // `phoneNumbers[type eq "mobile"].value eq "…"`: a sub-attribute condition on the same element
      const next = tokens[pos];
      if (next?.t === 'word' && next.v.startsWith('.')) {
        pos++;
        const sub = parseAttrPath(next.v.slice(1), attr);
        return { kind: 'valuePath', attr, filter: { kind: 'and', left: inner, right: comparison(sub) } };
      }
      return { kind: 'valuePath', attr, filter: inner };
    }
    return comparison(parseAttrPath(tok.v, parent));
  }
  function comparison(path: AttrPath): Filter {
    const op = peekWord();
    if (op === 'pr') {
      pos++;
      return { kind: 'present', path };
    }
    if (!op || !OPS.has(op)) throw invalid(`expected an operator after ${path.sub ?? path.attr}`);
    pos++;
    const value = literal(tokens[pos++]);
    return { kind: 'compare', path, op: op as CompareOp, value };
  }

  const filter = orExpr(parent);
  if (pos !== tokens.length) throw invalid('unexpected text after the filter');
  return filter;
}

// Evaluation ---------------------------------------------------------------------------------------------------------

type Doc = Record<string, unknown>;

function valuesAt(doc: Doc, path: AttrPath): unknown[] {
  const container = path.schema === STEPGATE_USER ? (doc[STEPGATE_USER] as Doc | undefined) : doc;
  const value = container?.[path.attr];
  const list = Array.isArray(value) ? value : value === undefined || value === null ? [] : [value];
  if (path.sub === undefined) {
    // a complex multi-valued attribute compares by its `value` sub-attribute
    return list.map((v) => (v !== null && typeof v === 'object' && 'value' in (v as Doc) ? (v as Doc).value : v));
  }
  return list
    .map((v) => (v !== null && typeof v === 'object' ? (v as Doc)[path.sub!] : undefined))
    .filter((v) => v !== undefined && v !== null);
}

function caseExact(path: AttrPath): boolean {
  const def = definitionOf(path.schema, path.attr);
  const sub = path.sub ? def?.subAttributes?.find((s) => s.name === path.sub) : undefined;
  return (sub ?? def)?.caseExact ?? false;
}

function compare(actual: unknown, op: CompareOp, expected: Literal, exact: boolean): boolean {
  if (expected === null)
    return op === 'eq'
      ? actual === null || actual === undefined
      : op === 'ne'
        ? actual !== null && actual !== undefined
        : false;
  if (typeof expected === 'boolean')
    return op === 'eq' ? actual === expected : op === 'ne' ? actual !== expected : false;
  if (typeof expected === 'number') {
    if (typeof actual !== 'number') return false;
    return {
      eq: actual === expected,
      ne: actual !== expected,
      gt: actual > expected,
      ge: actual >= expected,
      lt: actual < expected,
      le: actual <= expected,
      co: false,
      sw: false,
      ew: false,
    }[op];
  }
  if (typeof actual !== 'string') return op === 'ne';
  const a = exact ? actual : actual.toLowerCase();
  const e = exact ? expected : expected.toLowerCase();
  switch (op) {
    case 'eq':
      return a === e;
    case 'ne':
      return a !== e;
    case 'co':
      return a.includes(e);
    case 'sw':
      return a.startsWith(e);
    case 'ew':
      return a.endsWith(e);
    case 'gt':
      return a > e;
    case 'ge':
      return a >= e;
    case 'lt':
      return a < e;
    case 'le':
      return a <= e;
  }
}

export function matches(doc: Doc, filter: Filter): boolean {
  switch (filter.kind) {
    case 'and':
      return matches(doc, filter.left) && matches(doc, filter.right);
    case 'or':
      return matches(doc, filter.left) || matches(doc, filter.right);
    case 'not':
      return !matches(doc, filter.filter);
    case 'present':
      return valuesAt(doc, filter.path).some((v) => v !== '' && !(Array.isArray(v) && v.length === 0));
    case 'compare': {
      const values = valuesAt(doc, filter.path);
      const exact = caseExact(filter.path);
      if (filter.op === 'ne') return values.every((v) => compare(v, 'ne', filter.value, exact));
      return values.some((v) => compare(v, filter.op, filter.value, exact));
    }
    case 'valuePath': {
      const container = filter.attr.schema === STEPGATE_USER ? (doc[STEPGATE_USER] as Doc | undefined) : doc;
      const list = container?.[filter.attr.attr];
      return (
        Array.isArray(list) &&
        list.some(
          (el) => el !== null && typeof el === 'object' && matchesElement(el as Doc, filter.attr, filter.filter),
        )
      );
    }
  }
}

/** Evaluates a value-path filter against one element of a multi-valued attribute (its sub-attributes). */
export function matchesElement(element: Doc, attr: AttrPath, filter: Filter): boolean {
  const wrapped: Doc = { [attr.attr]: [element] };
  const rebase = (f: Filter): Filter => {
    switch (f.kind) {
      case 'and':
      case 'or':
        return { kind: f.kind, left: rebase(f.left), right: rebase(f.right) };
      case 'not':
        return { kind: 'not', filter: rebase(f.filter) };
      case 'compare':
      case 'present':
        return { ...f, path: { ...f.path, schema: CORE_USER } };
      default:
        return f;
    }
  };
  return matches(wrapped, rebase(filter));
}

/** `eq` conditions that every match must meet (the top-level `and` chain), for narrowing before a scan. */
export function requiredEqualities(filter: Filter): { path: AttrPath; value: string; within?: Filter }[] {
  switch (filter.kind) {
    case 'and':
      return [...requiredEqualities(filter.left), ...requiredEqualities(filter.right)];
    case 'compare':
      return filter.op === 'eq' && typeof filter.value === 'string' ? [{ path: filter.path, value: filter.value }] : [];
    case 'valuePath':
      return requiredEqualities(filter.filter).map((e) => ({
        path: { ...filter.attr, sub: e.path.sub ?? e.path.attr },
        value: e.value,
        within: filter.filter,
      }));
    default:
      return [];
  }
}
