import { isMap, isScalar, parseAllDocuments, Scalar } from 'yaml';
import type { Document, Node, YAMLMap } from 'yaml';

/** Options that keep the user's formatting on output (no line folding, `{a: 1}` flow style as written). */
export const TO_STRING = { lineWidth: 0, flowCollectionPadding: false } as const;

/** Parses a YAML file into documents that keep comments, for in-place edits. */
export function parseForEdit(text: string): Document.Parsed[] {
  const docs = parseAllDocuments(text, { keepSourceTokens: false, uniqueKeys: false });
  return Array.isArray(docs) ? docs : [];
}

/** Serializes edited documents back into one file. */
export function serialize(docs: readonly Document.Parsed[]): string {
  return docs
    .map((d, i) => {
      const s = d.toString(TO_STRING);
      // Documents after the first need their `---` separator.
      return i > 0 && !s.startsWith('---') ? `---\n${s}` : s;
    })
    .join('');
}

/**
 * Gives edited text the conventions of the original file: a leading byte-order mark and CRLF line
 * endings (the YAML library writes neither), so the diff shows only the edit.
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

/** The map at `path`, or undefined. */
export function mapAt(doc: Document, path: readonly (string | number)[]): YAMLMap | undefined {
  const n = doc.getIn(path, true);
  return isMap(n) ? n : undefined;
}

/**
 * Sets `key` in the map at `path` to `value`: replaced in place when present, otherwise inserted
 * right after `after` (or appended), so new blocks land where a person would put them.
 */
export function setAfter(
  doc: Document,
  path: readonly (string | number)[],
  key: string,
  value: Node | unknown,
  after?: string,
): void {
  const map = mapAt(doc, path);
  if (!map) {
    doc.setIn([...path, key], value);
    return;
  }
  if (map.has(key)) {
    map.set(key, value);
    return;
  }
  const node = doc.createPair(key, value);
  const idx = after === undefined ? -1 : map.items.findIndex((p) => isScalar(p.key) && p.key.value === after);
  if (idx < 0) map.items.push(node);
  else map.items.splice(idx + 1, 0, node);
}
