import type { Color, Pipeline } from '../../spec/types.js';
import { configPointer, effectiveConfig, normalizePath } from '../config.js';
import type { Finding, Rule, RuleContext } from '../types.js';
import type { ResolvedValue } from './shared.js';
import { sharedValues } from './shared.js';

/** Keys naming storage or identities that must differ per color (Flink 1.x and 2.x spellings). */
export const STATE_KEYS: Record<string, string> = {
  'state.checkpoints.dir': 'checkpoint directory',
  'execution.checkpointing.dir': 'checkpoint directory',
  'state.savepoints.dir': 'savepoint directory',
  'execution.checkpointing.savepoint-dir': 'savepoint directory',
  'high-availability.storageDir': 'HA storage directory',
  'high-availability.storage-dir': 'HA storage directory',
  'high-availability.cluster-id': 'HA cluster id',
  'kubernetes.cluster-id': 'cluster id (names the HA ConfigMaps)',
  'dstl.dfs.base-path': 'changelog storage path',
};

/**
 * The keys of STATE_KEYS grouped by what they name: a color may spell a setting the Flink 1.x way
 * and the other the 2.x way (e.g. blue on 1.20 with state.checkpoints.dir, green on 2.0 with
 * execution.checkpointing.dir), and the two still collide.
 */
function concepts(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [k, what] of Object.entries(STATE_KEYS)) out.set(what, [...(out.get(what) ?? []), k]);
  return out;
}

function paths(p: Pipeline, c: Color): ResolvedValue[] {
  const conf = effectiveConfig(p, c);
  const out: ResolvedValue[] = [];
  for (const [what, keys] of concepts()) {
    for (const k of keys)
      if (conf[k] !== undefined)
        out.push({
          what,
          value: conf[k]!,
          key: k,
          // Where it is set, looked up only for a value reported.
          get pointer() {
            return configPointer(p, c, k);
          },
        });
  }
  return out;
}

export const sharedStatePaths: Rule = {
  id: 'shared-state-paths',
  severity: 'error',
  summary: 'Both colors use the same checkpoint, savepoint or HA storage path (or cluster id).',
  doc: `Each color must own its state storage. With a shared checkpoint directory the jobs (which may have the same job id in application mode) overwrite or clean up each other's checkpoints; with a shared HA storage path or cluster id they read each other's leader and checkpoint-pointer metadata, and one color may restore the other's state after a failover. Checked keys, nested or dotted: ${Object.keys(STATE_KEYS).join(', ')}; the Flink 1.x and 2.x spellings of one setting are compared with each other (one color may set state.checkpoints.dir, the other execution.checkpointing.dir). Put {{color}} into each path, e.g. state.checkpoints.dir: s3://bucket/chk/{{pipeline}}/{{color}}.`,
  check: ({ pair }: RuleContext): Finding[] =>
    pair.head
      ? sharedValues(
          sharedStatePaths,
          pair.head,
          (c) => paths(pair.head!.pipeline, c),
          'add {{color}} to the path so each color has its own',
          normalizePath,
        )
      : [],
};
