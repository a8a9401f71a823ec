import type { Command } from 'commander';
import { latestRetainedCheckpoint } from '../../flink/latest-checkpoint.js';
import { FlinkRestError } from '../../flink/errors.js';
import { promotionCommand, runPromotion } from './promotion.js';
import type { CommonPromotionOpts } from './promotion.js';
import { stage } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';
import { ExitCode, UsageError } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

interface StageOpts extends CommonPromotionOpts {
  image?: string;
  fromSavepoint?: string;
  fromLatestCheckpoint?: boolean;
  rest?: string;
  set: string[];
}

const collect = (v: string, prev: string[]) => [...prev, v];

/** `flink-cutover stage <pipeline>`: Steady → Staged. */
export function registerStage(program: Command, io: CliIO): void {
  promotionCommand(
    program,
    {
      name: 'stage',
      description: COMMAND_DESCRIPTIONS.stage,
      configure: (cmd) =>
        cmd
          .option('--image <image>', 'container image of the new color (required)')
          .option(
            '--from-savepoint <path>',
            'savepoint or retained checkpoint of the active color to start from (initialSavepointPath)',
          )
          .option(
            '--from-latest-checkpoint',
            "start from the active color's newest retained checkpoint, read from --rest",
          )
          .option(
            '--rest <url>',
            'JobManager REST URL of the active color (with --from-latest-checkpoint), e.g. http://orders-blue-rest.streaming:8081',
          )
          .option(
            '--set <key=value>',
            'override a field of the new color, e.g. taskManager.resource.memory=8192m or flinkConfiguration.taskmanager.numberOfTaskSlots=4 (repeatable)',
            collect,
            [] as string[],
          ),
    },
    async (pipeline, raw) => {
      const opts = raw as unknown as StageOpts;
      if (!opts.image) throw new UsageError('stage needs --image <image>');
      if (opts.fromSavepoint && opts.fromLatestCheckpoint)
        throw new UsageError('give --from-savepoint or --from-latest-checkpoint, not both');
      if (opts.fromLatestCheckpoint && !opts.rest)
        throw new UsageError("--from-latest-checkpoint needs --rest <url> (the active color's JobManager)");
      if (opts.rest && !opts.fromLatestCheckpoint)
        throw new UsageError('--rest is only used with --from-latest-checkpoint');
      return runPromotion(io, pipeline, opts, async () => {
        let initialSavepointPath = opts.fromSavepoint;
        if (opts.fromLatestCheckpoint) {
          try {
            initialSavepointPath = await latestRetainedCheckpoint(opts.rest!);
          } catch (err) {
            // The JobManager could not answer: a failed check (exit 1), not a usage error.
            if (err instanceof FlinkRestError)
              throw new ExitCode(
                1,
                `flink-cutover stage: --from-latest-checkpoint: ${err.message}\nnothing was changed`,
              );
            throw err;
          }
        }
        return (doc, p) => stage(doc, p, { image: opts.image!, initialSavepointPath, set: opts.set });
      });
    },
  );
}
