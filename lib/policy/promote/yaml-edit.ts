import {
  Document,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  Scalar,
} from 'yaml';
import type { Node, Pair, YAMLMap } from 'yaml';

/**
 * Gives edited text the conventions of the original file: a leading byte-order mark and CRLF line
 * endings, so the diff shows only the edit.
 */
export function likeOriginal(original: string, edited: string): string {
  let out = edited.replace(/^\uFEFF/, '');
  if (/\r\n/.test(original) && !/(^|[^\r])\n/.test(original)) out = out.replace(/\r?\n/g, '\r\n');
  return original.startsWith('\uFEFF') ? `\uFEFF${out}` : out;
}

/** A double-quoted string scalar (for timestamps and annotation values). */
export function quoted(value: string): Scalar {
  const s = new Scalar(value);
  s.type = Scalar.QUOTE_DOUBLE;
  return s;
}

/** A value written in flow style (`{a: 1, b: 2}`) wherever it is inserted. */
export class Flow {
  constructor(readonly value: Record<string, unknown>) {}
}

type Path = readonly string[];

/** The layout a file uses, read from its own block collections. */
interface Layout {
  /** Spaces per nesting level of block maps. */
  unit: number;
  /** Whether block sequences under a key are indented (`key:\n  - a`) or not (`key:\n- a`). */
  indentSeq: boolean;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !isNode(v) && !(v instanceof Flow);
}

/**
 * Edits one document of a YAML file as text splices at the positions the parser gives: only the
 * changed nodes are rendered (with the file's own indentation, sequence style, block or flow style
 * and comment alignment); every other byte stays as it was.
 */
export class SpecEdit {
  private src: string;

  constructor(
    text: string,
    private readonly docIndex: number,
  ) {
    this.src = text;
  }

  /** The edited file. */
  text(): string {
    return this.src;
  }

  private doc(): Document.Parsed {
    const docs = parseAllDocuments(this.src, { uniqueKeys: false });
    const d = Array.isArray(docs) ? docs[this.docIndex] : undefined;
    if (!d) throw new Error(`the file has no document #${this.docIndex + 1}`);
    return d;
  }

  private splice(start: number, end: number, insert: string): void {
    this.src = this.src.slice(0, start) + insert + this.src.slice(end);
  }

  private lineStart(offset: number): number {
    return this.src.lastIndexOf('\n', offset - 1) + 1;
  }

  private lineEnd(offset: number): number {
    const nl = this.src.indexOf('\n', offset);
    return nl < 0 ? this.src.length : nl + 1;
  }

  /** The end of the line a node's text ends on (a block scalar's text already ends with its line break). */
  private endOfLine(contentEnd: number): number {
    return this.src[contentEnd - 1] === '\n' ? contentEnd : this.lineEnd(contentEnd);
  }

  /**
   * Where a block map pair's lines end: after its value's last line and the comment lines right
   * below it that are indented deeper than its key (they belong to its value).
   */
  private pairEnd(pair: Pair, keyCol: number): number {
    let at = this.endOfLine(this.contentEnd(pair));
    for (;;) {
      const next = this.src.slice(at, this.lineEnd(at));
      const m = /^( *)#/.exec(next);
      if (!m || m[1]!.length <= keyCol || at >= this.src.length) return at;
      at = this.lineEnd(at);
    }
  }

  private col(offset: number): number {
    return offset - this.lineStart(offset);
  }

  /** The end of a node's own text (not its trailing comment or line break). */
  private contentEnd(n: Node | Pair | null | undefined): number {
    if (!n) return 0;
    if (isPair(n)) return n.value ? this.contentEnd(n.value as Node) : this.contentEnd(n.key as Node);
    if (isCollection(n) && !n.flow && n.items.length > 0)
      return this.contentEnd(n.items[n.items.length - 1] as Node | Pair);
    return n.range![1];
  }

  private layout(doc: Document.Parsed): Layout {
    let unit: number | undefined;
    let indentSeq: boolean | undefined;
    const visit = (n: unknown): void => {
      if (isMap(n)) {
        for (const p of n.items) {
          const v = p.value;
          if (!isScalar(p.key) || !p.key.range) continue;
          if (unit === undefined && isMap(v) && !v.flow && isScalar(v.items[0]?.key)) {
            const d = this.col((v.items[0]!.key as Scalar).range![0]) - this.col(p.key.range[0]);
            if (d > 0) unit = d;
          }
          if (indentSeq === undefined && isSeq(v) && !v.flow && v.range)
            indentSeq = this.col(v.range[0]) > this.col(p.key.range[0]);
          visit(v);
        }
      } else if (isSeq(n)) for (const i of n.items) visit(i);
    };
    visit(doc.contents);
    return { unit: unit ?? 2, indentSeq: indentSeq ?? true };
  }

  private static pairOf(map: YAMLMap, key: string): Pair | undefined {
    return map.items.find((p) => isScalar(p.key) && p.key.value === key);
  }

  private static scalarText(v: unknown): string {
    return new Document(v)
      .toString({ lineWidth: 0 })
      .replace(/\n$/, '')
      .replace(/\n\.\.\.$/, '');
  }

  private static flowText(v: unknown): string {
    return new Document(v instanceof Flow ? v.value : v)
      .toString({ lineWidth: 0, flowCollectionPadding: false, collectionStyle: 'flow' })
      .replace(/\n$/, '');
  }

  /** `key: value` for a block map at column `col`, ending with a line break. */
  private pairText(key: string, value: unknown, col: number, flow: boolean, l: Layout): string {
    const k = SpecEdit.scalarText(key);
    if (value instanceof Flow || (flow && (isPlainObject(value) || Array.isArray(value))))
      return `${k}: ${SpecEdit.flowText(value)}\n`;
    if (!isPlainObject(value) && !Array.isArray(value)) return `${k}: ${SpecEdit.scalarText(value)}\n`;
    const body = new Document(value)
      .toString({ indent: l.unit, indentSeq: l.indentSeq, lineWidth: 0, flowCollectionPadding: false })
      .replace(/\n$/, '');
    const pad = ' '.repeat(col + (Array.isArray(value) && !l.indentSeq ? 0 : l.unit));
    return `${k}:\n${body
      .split('\n')
      .map((line) => (line === '' ? line : pad + line))
      .join('\n')}\n`;
  }

  /** Whether the values of a block map are written in flow style (so a new sibling is too). */
  private static siblingsFlow(map: YAMLMap, after: string | undefined): boolean {
    const near = (after !== undefined ? SpecEdit.pairOf(map, after) : undefined) ?? map.items[0];
    return isCollection(near?.value) && near.value.flow === true;
  }

  /** Finds the deepest existing map along `path`; returns it and how much of the path it covers. */
  private deepest(doc: Document.Parsed, path: Path): { map: YAMLMap; depth: number } {
    const top: unknown = doc.contents;
    if (!isMap(top)) throw new Error('the document is not a map');
    let map: YAMLMap = top;
    let depth = 0;
    while (depth < path.length - 1) {
      const next: unknown = SpecEdit.pairOf(map, path[depth]!)?.value;
      if (!isMap(next)) break;
      map = next;
      depth++;
    }
    return { map, depth };
  }

  /** Replaces a scalar's text, keeping an aligned comment after it in its column. */
  private replaceScalar(node: Scalar, value: unknown): void {
    const [start, end] = node.range!;
    const text = SpecEdit.scalarText(value);
    const rest = this.src.slice(end, this.lineEnd(end));
    const m = /^( +)#/.exec(rest);
    if (m) {
      const pad = Math.max(1, m[1]!.length - (text.length - (end - start)));
      this.splice(start, end + m[1]!.length, text + ' '.repeat(pad));
    } else this.splice(start, end, text);
  }

  /**
   * Sets the value at `path`. An existing map given a plain object is edited key by key (so its
   * style and comments stay); an existing scalar is replaced in place; a missing key is inserted
   * right after `after` (or last), missing parent maps are created. `Flow` values are written in flow
   * style; new values in a block map follow their siblings' style.
   */
  set(path: Path, value: unknown, after?: string): void {
    const doc = this.doc();
    const { map, depth } = this.deepest(doc, path);
    const key = path[depth]!;
    // The path leads through a key that is missing: insert it with the rest of the path as a map.
    let v: unknown = value;
    for (let i = path.length - 1; i > depth; i--) v = { [path[i]!]: v };
    const pair = SpecEdit.pairOf(map, key);
    if (!pair) return this.insert(doc, map, key, v, depth === path.length - 1 ? after : undefined);
    const old = pair.value;
    if (isMap(old) && (isPlainObject(v) || v instanceof Flow)) {
      const obj = v instanceof Flow ? v.value : v;
      for (const p of [...old.items].reverse())
        if (isScalar(p.key) && !Object.hasOwn(obj, String(p.key.value)))
          this.delete([...path.slice(0, depth + 1), String(p.key.value)]);
      let prev: string | undefined;
      for (const [k, x] of Object.entries(obj)) {
        this.set([...path.slice(0, depth + 1), k], x, prev);
        prev = k;
      }
      return;
    }
    if (isScalar(old) && old.range && !isPlainObject(v) && !Array.isArray(v) && !(v instanceof Flow))
      return this.replaceScalar(old, v);
    // Anything else (a scalar becoming a map, a sequence): the value is written anew.
    this.replaceValue(map, pair, key, v);
  }

  private replaceValue(map: YAMLMap, pair: Pair, key: string, v: unknown): void {
    const l = this.layout(this.doc());
    const keyNode = pair.key as Scalar;
    if (map.flow) {
      this.splice(
        keyNode.range![0],
        this.contentEnd(pair),
        `${SpecEdit.scalarText(key)}: ${SpecEdit.flowText(v)}`,
      );
      return;
    }
    const flow = isCollection(pair.value) && pair.value.flow === true;
    const start = this.lineStart(keyNode.range![0]);
    const col = this.col(keyNode.range![0]);
    this.splice(
      start,
      this.endOfLine(this.contentEnd(pair)),
      ' '.repeat(col) + this.pairText(key, v, col, flow, l),
    );
  }

  private insert(doc: Document.Parsed, map: YAMLMap, key: string, v: unknown, after?: string): void {
    const l = this.layout(doc);
    const prev =
      (after !== undefined ? SpecEdit.pairOf(map, after) : undefined) ?? map.items[map.items.length - 1];
    if (map.flow) {
      const text = `${SpecEdit.scalarText(key)}: ${SpecEdit.flowText(v)}`;
      if (prev) this.splice(this.contentEnd(prev), this.contentEnd(prev), `, ${text}`);
      else this.splice(map.range![0] + 1, map.range![0] + 1, text);
      return;
    }
    if (!prev) throw new Error(`cannot add ${key} to an empty block map`);
    const keyStart = (prev.key as Scalar).range![0];
    const col = this.col(keyStart);
    const at = this.pairEnd(prev, col);
    const nl = at === this.src.length && !this.src.endsWith('\n') ? '\n' : '';
    this.splice(
      at,
      at,
      nl + ' '.repeat(col) + this.pairText(key, v, col, SpecEdit.siblingsFlow(map, after), l),
    );
  }

  /** Removes the key at `path` (its lines in a block map, `key: value` in a flow map); absent is fine. */
  delete(path: Path): void {
    const doc = this.doc();
    const { map, depth } = this.deepest(doc, path);
    if (depth !== path.length - 1) return;
    const i = map.items.findIndex((p) => isScalar(p.key) && p.key.value === path[depth]);
    if (i < 0) return;
    const pair = map.items[i]!;
    const keyStart = (pair.key as Scalar).range![0];
    if (map.flow) {
      if (i > 0) this.splice(this.contentEnd(map.items[i - 1]!), this.contentEnd(pair), '');
      else if (map.items.length > 1) this.splice(keyStart, (map.items[1]!.key as Scalar).range![0], '');
      else this.splice(keyStart, this.contentEnd(pair), '');
      return;
    }
    this.splice(this.commentsAbove(keyStart), this.pairEnd(pair, this.col(keyStart)), '');
  }

  /**
   * Where a block map key's lines start: its own line, or the comment lines right above it at its
   * column with no blank line between (they describe the key; a comment set apart by a blank line,
   * or indented otherwise, stays).
   */
  private commentsAbove(keyStart: number): number {
    const col = this.col(keyStart);
    let at = this.lineStart(keyStart);
    while (at > 0) {
      const prev = this.lineStart(at - 1);
      const m = /^( *)#/.exec(this.src.slice(prev, at));
      if (!m || m[1]!.length !== col) return at;
      at = prev;
    }
    return at;
  }
}
