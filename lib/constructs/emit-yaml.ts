/**
 * The rendered files' YAML, written directly: the same bytes as cdk8s `Yaml.stringify` (yaml's
 * `stringify(doc, { keepUndefined: true, lineWidth: 0, version: '1.1' })`, documents joined by
 * `---`), several times faster. It writes JSON-shaped documents (maps, lists, strings, numbers,
 * booleans, null) in the block style yaml uses; any document it does not write exactly as yaml does
 * (multi-line or non-ASCII strings, document markers, shared objects, other types) is handed to
 * yaml itself, so the output is the same whatever the input. The tests compare both on every
 * example and on generated documents.
 */
import { Document, stringify } from 'yaml';

const OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;

/** The 1.1 schema's tests for plain scalars that would not read back as strings (yaml's own). */
const NOT_A_STRING: RegExp[] = (() => {
  const schema = new Document(null, { version: '1.1' }).schema as unknown as {
    tags: { default?: boolean; tag: string; test?: RegExp }[];
    compat?: { default?: boolean; tag: string; test?: RegExp }[] | null;
  };
  return [...schema.tags, ...(schema.compat ?? [])]
    .filter((t) => t.default && t.tag !== 'tag:yaml.org,2002:str' && t.test)
    .map((t) => t.test!);
})();

/** Strings this emitter writes itself: printable ASCII, one line, no document marker. */
const SIMPLE = /^[\x20-\x7e]*$/;
const DOC_MARKER = /^(?:%|---|\.\.\.)/;
/** yaml's test for strings that cannot be plain. */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;

class Fallback extends Error {}

const cache = new Map<string, string>();

/** A string scalar as yaml writes it (as a key or a value: the same for one-line ASCII strings). */
function scalar(s: string): string {
  const hit = cache.get(s);
  if (hit !== undefined) return hit;
  if (!SIMPLE.test(s) || DOC_MARKER.test(s)) throw new Fallback();
  let out: string;
  if (NOT_PLAIN.test(s) || NOT_A_STRING.some((re) => re.test(s))) {
    const hasDouble = s.includes('"');
    const hasSingle = s.includes("'");
    out = hasDouble && !hasSingle ? `'${s.replace(/'/g, "''")}'` : JSON.stringify(s);
  } else out = s;
  if (cache.size > 100_000) cache.clear();
  cache.set(s, out);
  return out;
}

function number(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n < 0 ? '-.inf' : '.inf';
  if (Object.is(n, -0)) return '-0'; // JSON.stringify(-0) is "0"; yaml keeps the sign
  return JSON.stringify(n);
}

/** A value after `key:` or `- ` that fits on the same line, or undefined for a block. */
function inline(v: unknown): string | undefined {
  if (v === null || v === undefined) return 'null';
  switch (typeof v) {
    case 'string':
      return scalar(v);
    case 'number':
      return number(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object':
      if (Array.isArray(v)) return v.length === 0 ? '[]' : undefined;
      if (Object.getPrototypeOf(v) !== Object.prototype && Object.getPrototypeOf(v) !== null)
        throw new Fallback();
      for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k)) return undefined;
      return '{}';
    default:
      throw new Fallback();
  }
}

class Writer {
  out: string[] = [];
  private readonly seen = new Set<object>();

  private enter(o: object): void {
    // yaml writes an object met twice as an anchor and an alias: leave that to yaml.
    if (this.seen.has(o)) throw new Fallback();
    this.seen.add(o);
  }

  /** A non-empty map; `first` is what precedes its first line (`- ` in a list), `indent` the rest's. */
  map(o: Record<string, unknown>, indent: string, first: string): void {
    this.enter(o);
    let lead = first;
    for (const k of Object.keys(o)) {
      const v = o[k];
      const key = scalar(k);
      const s = inline(v);
      if (s !== undefined) this.out.push(`${lead}${key}: ${s}\n`);
      else {
        this.out.push(`${lead}${key}:\n`);
        const inner = indent + '  ';
        if (Array.isArray(v)) this.seq(v, inner);
        else this.map(v as Record<string, unknown>, inner, inner);
      }
      lead = indent;
    }
  }

  /** A non-empty list, each item at `indent`. */
  seq(a: unknown[], indent: string): void {
    this.enter(a);
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      const s = inline(v);
      if (s !== undefined) this.out.push(`${indent}- ${s}\n`);
      else if (Array.isArray(v)) this.nestedSeq(v, indent);
      else this.map(v as Record<string, unknown>, indent + '  ', `${indent}- `);
    }
  }

  /** A list as an item of a list: `- - a` then `  - b`. */
  private nestedSeq(a: unknown[], indent: string): void {
    this.enter(a);
    const inner = indent + '  ';
    for (let i = 0; i < a.length; i++) {
      const v = a[i];
      const lead = i === 0 ? `${indent}- ` : inner;
      const s = inline(v);
      if (s !== undefined) this.out.push(`${lead}- ${s}\n`);
      else if (Array.isArray(v)) {
        // Three levels of lists in one line: rare, and yaml's exact layout is left to yaml.
        throw new Fallback();
      } else this.map(v as Record<string, unknown>, inner + '  ', `${lead}- `);
    }
  }
}

/** One document as yaml writes it. */
export function emitDocument(doc: unknown): string {
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    try {
      const w = new Writer();
      if (inline(doc) === '{}') return '{}\n';
      w.map(doc as Record<string, unknown>, '', '');
      return w.out.join('');
    } catch (err) {
      if (!(err instanceof Fallback)) throw err;
    }
  }
  return stringify(doc, OPTIONS);
}

/** Several documents, exactly as cdk8s `Yaml.stringify(...docs)` writes them. */
export function emitYaml(...docs: unknown[]): string {
  return docs.map((d) => (d === undefined ? '\n' : emitDocument(d))).join('---\n');
}
