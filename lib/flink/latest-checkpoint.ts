import { FlinkRestClient } from './client.js';
import { FlinkRestError } from './errors.js';
import type { HttpOptions } from './http.js';

/**
 * The running job's newest retained checkpoint (`latest.completed.external_path` of
 * `GET /jobs/{id}/checkpoints`), for `stage --from-latest-checkpoint`. Throws FlinkRestError naming
 * the URL when the JobManager is unreachable, runs no job, or has no completed checkpoint with an
 * external path (checkpoints not retained: set `execution.checkpointing.externalized-checkpoint-retention`).
 */
export async function latestRetainedCheckpoint(restUrl: string, options?: HttpOptions): Promise<string> {
  const client = new FlinkRestClient(restUrl, options);
  const job = await client.currentJob();
  const stats = await client.checkpoints(job.jid);
  const completed = stats.latest?.completed;
  const path = completed?.external_path;
  if (!completed || !path || path === '<checkpoint-not-externally-addressable>') {
    throw new FlinkRestError({
      url: client.shownUrl(`/jobs/${job.jid}/checkpoints`),
      problem: 'not-found',
      expected: 'latest.completed.external_path of a retained checkpoint',
      detail: !completed
        ? `job ${job.jid} (${job.state}) has no completed checkpoint yet (${stats.counts.completed} completed, ${stats.counts.failed} failed)`
        : `checkpoint ${completed.id} of job ${job.jid} has no external path (enable retained checkpoints)`,
      attempts: 1,
    });
  }
  return path;
}
