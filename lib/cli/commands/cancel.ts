import type { Command } from 'commander';
import { cancel } from '../../policy/promote/steps.js';
import type { CliIO } from '../io.js';
import { promotionCommand, runPromotion } from './promotion.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

/** `flink-cutover cancel <pipeline>`: Cutover(g) → Staged, while g is Pending or Rejected. */
export function registerCancel(program: Command, io: CliIO): void {
  promotionCommand(
    program,
    {
      name: 'cancel',
      description: COMMAND_DESCRIPTIONS.cancel,
      configure: (cmd) =>
        cmd.option(
          '--assume-pending',
          'withdraw without --status, on your word that the controller has not armed the cutover (judged as with --allow-unknown-status: the pull-request check needs --status or that flag)',
        ),
    },
    async (pipeline, opts) =>
      runPromotion(
        io,
        pipeline,
        // On the person's word, without a status: the edit is judged as with --allow-unknown-status.
        opts.assumePending === true ? { ...opts, allowUnknownStatus: opts.status === undefined } : opts,
        () => (doc, p, status) => cancel(doc, p, { status, assumePending: opts.assumePending === true }),
      ),
  );
}
