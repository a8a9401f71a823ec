import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube-apiserver.js';

/** The committed `dist/` folder (what `flink-cutover synth` renders). */
export const DIST_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist');

/** A rendered object with the file it came from. */
export interface DistObject {
  readonly file: string;
  readonly object: KubeObject;
}

/** Every object of every `dist/*.k8s.yaml`, in file and document order. */
export function distObjects(): DistObject[] {
  return readdirSync(DIST_DIR)
    .filter((f) => f.endsWith('.k8s.yaml'))
    .sort()
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIST_DIR, file), 'utf8'))
        .map((d) => d.toJSON() as KubeObject | null)
        .filter((o): o is KubeObject => o !== null)
        .map((object) => ({ file, object })),
    );
}

/** `kind namespace/name` of an object, for messages. */
export function objectId(o: KubeObject): string {
  return `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
}

/**
 * A deep copy of `o` moved to another namespace: `metadata.namespace` and the namespace of any
 * RoleBinding subject that was in the old one.
 */
export function inNamespace(o: KubeObject, rename: (ns: string) => string): KubeObject {
  const copy = structuredClone(o);
  if (copy.metadata.namespace) copy.metadata.namespace = rename(copy.metadata.namespace);
  if (Array.isArray(copy.subjects)) {
    for (const s of copy.subjects as { namespace?: string }[])
      if (s.namespace) s.namespace = rename(s.namespace);
  }
  return copy;
}
