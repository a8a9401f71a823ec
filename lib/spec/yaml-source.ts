import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, isPair, isNode } from 'yaml';
import type { Document, Node } from 'yaml';
import { fromPointer } from './diagnostics.js';

/** A position in a source file (1-based). */
export interface Position {
  line: number;
  column: number;
}

/** One YAML document with the means to map a JSON pointer back to a line and column. */
export interface SourceDocument {
  readonly file: string;
  readonly doc: Document.Parsed;
  readonly lineCounter: LineCounter;
  /** Index of the document in a multi-document file. */
  readonly index: number;
}

/** A parsed YAML file: its text, documents and the syntax errors found. */
export interface SourceFile {
  readonly file: string;
  readonly text: string;
  readonly documents: SourceDocument[];
  readonly lineCounter: LineCounter;
  readonly syntaxErrors: { message: string; line: number; column: number }[];
}

/** Parses a YAML text (possibly several documents) keeping positions. */
export function parseYamlSource(file: string, text: string): SourceFile {
  const lineCounter = new LineCounter();
  // The library's own duplicate-key check is quadratic per map (10k keys: seconds); keys are
  // checked below in linear time instead.
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false, uniqueKeys: false, merge: true });
  const list = Array.isArray(docs) ? docs : [];
  const syntaxErrors: SourceFile['syntaxErrors'] = [];
  const documents: SourceDocument[] = [];
  list.forEach((doc, index) => {
    for (const err of doc.errors) {
      const pos = lineCounter.linePos(err.pos[0]);
      const message = /Maximum call stack/.test(err.message)
        ? 'the document is nested too deeply to read'
        : err.message.split('\n')[0]!;
      syntaxErrors.push({ message, line: pos.line, column: pos.col });
    }
    for (const offset of duplicateKeys(doc)) {
      const pos = lineCounter.linePos(offset);
      syntaxErrors.push({ message: 'Map keys must be unique', line: pos.line, column: pos.col });
    }
    // Skip empty documents (e.g. a trailing `---`).
    const c = doc.contents;
    const empty = c === null || (isScalar(c) && c.value === null && !c.source);
    if (!empty || doc.errors.length > 0) documents.push({ file, doc, lineCounter, index });
  });
  return { file, text, documents, lineCounter, syntaxErrors };
}

/**
 * Offsets of keys that repeat an earlier key of the same map (scalar keys compared by value, as
 * the YAML library does), in linear time; walks with a stack, so deep nesting cannot overflow.
 */
export function duplicateKeys(doc: Document): number[] {
  const out: number[] = [];
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        const k = pair.key;
        if (isScalar(k)) {
          const v = k.value;
          if (seen.has(v) && !(v === '<<' && k.source === '<<')) out.push(k.range?.[0] ?? 0);
          seen.add(v);
        } else if (k !== null && k !== undefined) stack.push(k);
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return out.sort((a, b) => a - b);
}

function offsetOf(node: Node | null | undefined): number | undefined {
  return node && isNode(node) && node.range ? node.range[0] : undefined;
}

/**
 * The position of the node at `pointer`, or of the deepest existing ancestor when the pointer leads
 * nowhere (a missing property is reported at its parent). With `key`, the position of that
 * property's key in the map at `pointer` (for unknown fields).
 */
export function positionOf(src: SourceDocument, pointer: string, key?: string): Position {
  const segments = fromPointer(pointer);
  let node: unknown = src.doc.contents;
  let best = offsetOf(node as Node) ?? 0;
  for (const seg of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === seg);
      if (!pair) break;
      best = offsetOf(pair.key as Node) ?? best;
      node = pair.value;
      best = offsetOf(node as Node) ?? best;
    } else if (isSeq(node)) {
      const item = node.items[Number(seg)];
      if (item === undefined) break;
      node = item;
      best = offsetOf(node as Node) ?? best;
    } else {
      break;
    }
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    if (pair) best = offsetOf(pair.key as Node) ?? best;
  }
  const pos = src.lineCounter.linePos(best);
  return { line: pos.line, column: pos.col };
}
