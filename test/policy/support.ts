import { stringify } from 'yaml';
import type { LoadResult } from '../../lib/spec/load.js';
import { loadPipelineText } from '../../lib/spec/load.js';
import { checkPolicy } from '../../lib/policy/engine.js';
import type { CutoverStatus } from '../../lib/policy/status.js';
import { parseStatusText } from '../../lib/policy/status.js';
import type { Finding } from '../../lib/policy/types.js';

export const NOW = Date.parse('2026-12-01T10:00:00Z');

/** Loads pipeline objects as if each were the file `p/<name>.yaml`. */
export function load(...objs: unknown[]): LoadResult {
  const out: LoadResult = { pipelines: [], diagnostics: [] };
  for (const o of objs) {
    const name = (o as { metadata?: { name?: string } }).metadata?.name ?? 'x';
    const r = loadPipelineText(`p/${name}.yaml`, typeof o === 'string' ? o : stringify(o));
    out.pipelines.push(...r.pipelines);
    out.diagnostics.push(...r.diagnostics);
  }
  return out;
}

export interface RunOptions {
  now?: number;
  status?: Record<string, string>;
  allowUnknownStatus?: boolean;
}

/** A status ConfigMap for pipeline `orders` with the given data. */
export function status(data: Record<string, string>, name = 'orders'): CutoverStatus[] {
  const text = JSON.stringify({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: `${name}-cutover-status`, namespace: 'streaming' },
    data,
  });
  const r = parseStatusText(text, 'status.json');
  if (r.problems.length > 0) throw new Error(r.problems.map((p) => p.message).join('; '));
  return r.statuses;
}

/** Findings of one rule for a base → head change (base undefined: no base). */
export function findings(
  ruleId: string,
  base: unknown | undefined,
  head: unknown | undefined,
  o: RunOptions = {},
): Finding[] {
  const r = checkPolicy({
    base: base === undefined ? undefined : load(base),
    head: head === undefined ? { pipelines: [], diagnostics: [] } : load(head),
    now: o.now ?? NOW,
    statuses: o.status ? status(o.status) : undefined,
    allowUnknownStatus: o.allowUnknownStatus,
  });
  return r.results.filter((f) => f.ruleId === ruleId);
}
