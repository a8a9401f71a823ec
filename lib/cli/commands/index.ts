import type { CommandModule } from '../io.js';
import { registerSynth } from './synth.js';
import { registerInit } from './init.js';
import { registerCheck } from './check.js';
import { registerPlan } from './plan.js';
import { registerStage } from './stage.js';
import { registerSchedule } from './schedule.js';
import { registerTeardown } from './teardown.js';
import { registerRollback } from './rollback.js';
import { registerAbandon } from './abandon.js';
import { registerCancel } from './cancel.js';
import { registerVerify } from './verify.js';
import { registerSimulate } from './simulate.js';
import { registerController } from './controller.js';
import { registerStatus } from './status.js';
import { registerInitRepo } from './init-repo.js';

/** Every command of the CLI, in the order `--help` lists them. */
export const commands: CommandModule[] = [
  registerSynth,
  registerInit,
  registerInitRepo,
  registerCheck,
  registerPlan,
  registerStage,
  registerSchedule,
  registerCancel,
  registerTeardown,
  registerRollback,
  registerAbandon,
  registerVerify,
  registerSimulate,
  registerStatus,
  registerController,
];
