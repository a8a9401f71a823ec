/**
 * A fast reader for the plain YAML that pipeline specs are written in: one document of block maps
 * and lists, one-line flow collections (`{a: 1}`, `[x, "y"]`), plain, single- and double-quoted
 * one-line scalars and comments. It gives exactly the value `yaml`'s `parseDocument(text).toJS()`
 * gives (YAML 1.2 core schema), or `undefined` for anything else: anchors, aliases, tags, block
 * scalars, multi-line scalars, several documents, directives, tabs, duplicate or non-string keys,
 * merge keys, and every syntax error. The caller then reads the file with the full parser, which
 * also keeps positions. No positions here: lines are found later, and only where one is reported.
 */

/** Plain scalars the core schema resolves to something other than a string (yaml's own tests). */
const NULL = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INT = /^[-+]?[0-9]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;
const FLOAT_EXP = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const OTHER = /^(?:0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;

/** Characters that make the reader give up at once (control characters, BOM, surrogates, CR, tab). */
// eslint-disable-next-line no-control-regex
const REFUSED_CHARS = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\ufeff\ud800-\udfff\u2028\u2029]/;
/** First characters a plain scalar may not start with (indicators), in block context. */
const INDICATOR = /^(?:[,[\]{}#&*!|>'"%@`]|[-?:](?: |$))/;

class Bail extends Error {}
const bail = (): never => {
  throw new Bail();
};

interface Line {
  indent: number;
  text: string; // the line without its indentation
}

type Value = unknown;

function resolvePlain(s: string): Value {
  // Only `~`, `n`/`N` (null), `t`/`T`/`f`/`F` (booleans), digits, signs and `.` start a scalar of
  // another type: a plain scalar starting with any other letter is a string.
  const c = s.charCodeAt(0);
  if (((c >= 97 && c <= 122) || (c >= 65 && c <= 90)) && !'nNtTfF'.includes(s[0]!)) return s;
  if (NULL.test(s)) return null;
  if (BOOL.test(s)) return s[0] === 't' || s[0] === 'T';
  if (INT.test(s)) return parseInt(s, 10);
  if (FLOAT.test(s) || FLOAT_EXP.test(s)) return parseFloat(s);
  if (OTHER.test(s)) bail();
  return s;
}

/** A plain key: must resolve to a string, and not be a merge key or `__proto__`. */
function plainKey(s: string): string {
  if (s === '' || s === '<<' || s === '__proto__' || INDICATOR.test(s) || s.includes(' #')) bail();
  if (resolvePlain(s) !== s) bail();
  return s;
}

/** Reads a quoted scalar starting at `s[i]`; returns the value and the index after the closing quote. */
function quoted(s: string, i: number): [string, number] {
  const q = s[i];
  let out = '';
  let j = i + 1;
  if (q === "'") {
    for (;;) {
      const k = s.indexOf("'", j);
      if (k < 0) bail();
      out += s.slice(j, k);
      if (s[k + 1] === "'") {
        out += "'";
        j = k + 2;
        continue;
      }
      return [out, k + 1];
    }
  }
  for (;;) {
    const k = s.slice(j).search(/["\\]/);
    if (k < 0) bail();
    out += s.slice(j, j + k);
    j += k;
    if (s[j] === '"') return [out, j + 1];
    const e = s[j + 1];
    const map: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r' };
    if (e === undefined || !(e in map)) bail();
    out += map[e!];
    j += 2;
  }
}

/** What may follow a value on its line: nothing, or spaces and a comment. */
function restIsEmpty(s: string, i: number): boolean {
  const r = s.slice(i);
  return r.trim() === '' || /^ +#/.test(r);
}

/** A flow collection or scalar inside `[...]` / `{...}`, starting at `s[i]` (spaces skipped). */
function flowValue(s: string, i: number): [Value, number] {
  while (s[i] === ' ') i++;
  const c = s[i];
  if (c === '[') return flowSeq(s, i);
  if (c === '{') return flowMap(s, i);
  if (c === '"' || c === "'") {
    const [v, j] = quoted(s, i);
    return [v, j];
  }
  // A plain scalar in flow: up to , ] } (no ": ", no " #", no indicator start).
  let j = i;
  while (j < s.length && !',[]{}'.includes(s[j]!)) j++;
  const text = s.slice(i, j).replace(/ +$/, '');
  if (text === '' || INDICATOR.test(text) || /:( |$)/.test(text) || text.includes(' #')) bail();
  if (text.includes(':')) bail(); // `a:b` in flow is legal but rare; leave it to the full reader
  return [resolvePlain(text), j];
}

function flowSeq(s: string, i: number): [Value, number] {
  const out: Value[] = [];
  let j = i + 1;
  while (s[j] === ' ') j++;
  if (s[j] === ']') return [out, j + 1];
  for (;;) {
    const [v, k] = flowValue(s, j);
    out.push(v);
    j = k;
    while (s[j] === ' ') j++;
    if (s[j] === ',') {
      j++;
      while (s[j] === ' ') j++;
      if (s[j] === ']' || s[j] === ',') bail(); // trailing or empty entry
      continue;
    }
    if (s[j] === ']') return [out, j + 1];
    return bail();
  }
}

function flowMap(s: string, i: number): [Value, number] {
  const out: Record<string, Value> = {};
  let j = i + 1;
  while (s[j] === ' ') j++;
  if (s[j] === '}') return [out, j + 1];
  for (;;) {
    let key: string;
    if (s[j] === '"' || s[j] === "'") {
      [key, j] = quoted(s, j);
      if (key === '__proto__') bail();
      while (s[j] === ' ') j++;
      if (s[j] !== ':' || s[j + 1] !== ' ') bail();
      j += 2;
    } else {
      const k = s.indexOf(': ', j);
      if (k < 0) bail();
      const text = s.slice(j, k).replace(/ +$/, '');
      if (/[,[\]{}:]/.test(text)) bail();
      key = plainKey(text);
      j = k + 2;
    }
    if (Object.prototype.hasOwnProperty.call(out, key)) bail();
    const [v, k] = flowValue(s, j);
    out[key] = v;
    j = k;
    while (s[j] === ' ') j++;
    if (s[j] === ',') {
      j++;
      while (s[j] === ' ') j++;
      if (s[j] === '}' || s[j] === ',') bail();
      continue;
    }
    if (s[j] === '}') return [out, j + 1];
    return bail();
  }
}

/** The value written after `key: ` or `- ` on the same line. */
function inlineValue(s: string): Value {
  const c = s[0]!;
  if (c === '"' || c === "'") {
    const [v, j] = quoted(s, 0);
    if (!restIsEmpty(s, j)) bail();
    return v;
  }
  if (c === '[' || c === '{') {
    const [v, j] = c === '[' ? flowSeq(s, 0) : flowMap(s, 0);
    if (!restIsEmpty(s, j)) bail();
    return v;
  }
  if (INDICATOR.test(s)) bail();
  const hash = s.indexOf(' #');
  const text = (hash < 0 ? s : s.slice(0, hash)).replace(/ +$/, '');
  if (/:( |$)/.test(text)) bail();
  return resolvePlain(text);
}

/** `key: rest` at the start of `s`, or undefined when `s` is not a map entry. */
function splitKey(s: string): [string, string] | undefined {
  if (s[0] === '[' || s[0] === '{') return undefined;
  if (s[0] === '"' || s[0] === "'") {
    let key: string;
    let j: number;
    try {
      [key, j] = quoted(s, 0);
    } catch {
      return bail();
    }
    while (s[j] === ' ') j++;
    if (s[j] !== ':') return undefined;
    if (j + 1 < s.length && s[j + 1] !== ' ') bail();
    if (key === '__proto__') bail();
    return [key, s.slice(j + 1).trimStart()];
  }
  const m = /:( |$)/.exec(s);
  if (!m) return undefined;
  const keyText = s.slice(0, m.index).replace(/ +$/, '');
  if (keyText.includes(' #') || keyText.startsWith('#')) return undefined;
  return [plainKey(keyText), s.slice(m.index + 1).trimStart()];
}

class Reader {
  i = 0;
  constructor(readonly lines: Line[]) {}

  peek(): Line | undefined {
    return this.lines[this.i];
  }

  /** A block (map or list) whose first line is the current one, at its indentation. */
  block(): Value {
    const line = this.peek()!;
    return isSeqItem(line.text) ? this.seq(line.indent) : this.map(line.indent);
  }

  /** After `key:` or `-` with nothing more on the line: a nested block, or null. */
  nested(parentIndent: number, allowSameIndentSeq: boolean): Value {
    const next = this.peek();
    if (!next) return null;
    if (next.indent > parentIndent) return this.block();
    if (allowSameIndentSeq && next.indent === parentIndent && isSeqItem(next.text))
      return this.seq(parentIndent);
    return null;
  }

  map(indent: number): Value {
    const out: Record<string, Value> = {};
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      if (isSeqItem(line.text)) bail();
      const kv = splitKey(line.text);
      if (!kv) return bail();
      const [key, rest] = kv;
      if (Object.prototype.hasOwnProperty.call(out, key)) bail();
      this.i++;
      if (rest === '' || rest.startsWith('#')) out[key] = this.nested(indent, true);
      else {
        out[key] = inlineValue(rest);
        const next = this.peek();
        if (next && next.indent > indent) bail(); // a multi-line scalar or a stray block
      }
    }
    const after = this.peek();
    if (after && after.indent > indent) bail();
    return out;
  }

  seq(indent: number): Value {
    const out: Value[] = [];
    for (let line = this.peek(); line && line.indent === indent; line = this.peek()) {
      if (!isSeqItem(line.text)) break;
      const rest = line.text.slice(1).replace(/^ +/, '');
      const col = indent + (line.text.length - rest.length);
      if (rest === '' || rest.startsWith('#')) {
        this.i++;
        out.push(this.nested(indent, false));
        continue;
      }
      if (isSeqItem(rest) || splitKey(rest) !== undefined) {
        // A compact nested block (`- key: v` / `- - x`): the rest of the line is its first line.
        this.lines[this.i] = { indent: col, text: rest };
        out.push(this.block());
        continue;
      }
      this.i++;
      out.push(inlineValue(rest));
      const next = this.peek();
      if (next && next.indent > indent) bail();
    }
    const after = this.peek();
    if (after && after.indent > indent) bail();
    return out;
  }
}

function isSeqItem(text: string): boolean {
  return text[0] === '-' && (text.length === 1 || text[1] === ' ');
}

/**
 * The value of a one-document YAML text of the plain kind specs are written in, exactly as the
 * full parser reads it; `undefined` when the text is anything else (the caller reads it fully).
 */
export function fastParseYaml(text: string): unknown {
  if (REFUSED_CHARS.test(text)) return undefined;
  const lines: Line[] = [];
  for (const raw of text.split('\n')) {
    const t = raw.replace(/^ +/, '');
    if (t === '' || t[0] === '#') continue;
    const indent = raw.length - t.length;
    if (indent === 0 && (/^(?:---|\.\.\.)(?: |$)/.test(t) || t[0] === '%')) return undefined;
    lines.push({ indent, text: t.replace(/ +$/, '') });
  }
  if (lines.length === 0 || lines[0]!.indent !== 0) return undefined;
  try {
    const r = new Reader(lines);
    const v = r.block();
    return r.i === lines.length ? v : undefined;
  } catch (err) {
    if (err instanceof Bail || err instanceof RangeError) return undefined;
    throw err;
  }
}
