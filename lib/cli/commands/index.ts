import type { CommandModule } from '../io.js';
import { COMMAND_DESCRIPTIONS } from './descriptions.js';

/**
 * A command as `--help` lists it, and how to load it. The implementations (and what they import:
 * cdk8s, the Kubernetes client, the simulator) are loaded only for the command that runs, so
 * `--help`, `check` and `plan` start without them. The description is the one the command
 * registers (both read `COMMAND_DESCRIPTIONS`); `term` must be its usage line (a test compares them).
 */
export interface CommandDescriptor {
  readonly name: string;
  /** The command's line in the top-level help, e.g. `stage [options] <pipeline>`. */
  readonly term: string;
  readonly description: string;
  readonly load: () => Promise<CommandModule>;
}

/** Every command of the CLI, in the order `--help` lists them. */
export const commandDescriptors: readonly CommandDescriptor[] = [
  {
    name: 'synth',
    term: 'synth [options]',
    description: COMMAND_DESCRIPTIONS.synth,
    load: async () => (await import('./synth.js')).registerSynth,
  },
  {
    name: 'init',
    term: 'init [options]',
    description: COMMAND_DESCRIPTIONS.init,
    load: async () => (await import('./init.js')).registerInit,
  },
  {
    name: 'init-repo',
    term: 'init-repo [options] [dir]',
    description: COMMAND_DESCRIPTIONS['init-repo'],
    load: async () => (await import('./init-repo.js')).registerInitRepo,
  },
  {
    name: 'check',
    term: 'check [options]',
    description: COMMAND_DESCRIPTIONS.check,
    load: async () => (await import('./check.js')).registerCheck,
  },
  {
    name: 'plan',
    term: 'plan [options]',
    description: COMMAND_DESCRIPTIONS.plan,
    load: async () => (await import('./plan.js')).registerPlan,
  },
  {
    name: 'stage',
    term: 'stage [options] <pipeline>',
    description: COMMAND_DESCRIPTIONS.stage,
    load: async () => (await import('./stage.js')).registerStage,
  },
  {
    name: 'schedule',
    term: 'schedule [options] <pipeline>',
    description: COMMAND_DESCRIPTIONS.schedule,
    load: async () => (await import('./schedule.js')).registerSchedule,
  },
  {
    name: 'cancel',
    term: 'cancel [options] <pipeline>',
    description: COMMAND_DESCRIPTIONS.cancel,
    load: async () => (await import('./cancel.js')).registerCancel,
  },
  {
    name: 'teardown',
    term: 'teardown [options] <pipeline>',
    description: COMMAND_DESCRIPTIONS.teardown,
    load: async () => (await import('./teardown.js')).registerTeardown,
  },
  {
    name: 'rollback',
    term: 'rollback [options] <pipeline>',
    description: COMMAND_DESCRIPTIONS.rollback,
    load: async () => (await import('./rollback.js')).registerRollback,
  },
  {
    name: 'abandon',
    term: 'abandon [options] <pipeline>',
    description: COMMAND_DESCRIPTIONS.abandon,
    load: async () => (await import('./abandon.js')).registerAbandon,
  },
  {
    name: 'verify',
    term: 'verify [options]',
    description: COMMAND_DESCRIPTIONS.verify,
    load: async () => (await import('./verify.js')).registerVerify,
  },
  {
    name: 'simulate',
    term: 'simulate [options]',
    description: COMMAND_DESCRIPTIONS.simulate,
    load: async () => (await import('./simulate.js')).registerSimulate,
  },
  {
    name: 'status',
    term: 'status [options] [pipeline]',
    description: COMMAND_DESCRIPTIONS.status,
    load: async () => (await import('./status.js')).registerStatus,
  },
  {
    name: 'controller',
    term: 'controller [options]',
    description: COMMAND_DESCRIPTIONS.controller,
    load: async () => (await import('./controller.js')).registerController,
  },
];

/** Every command module, loaded (all implementations: for tests and tools, not the CLI's start). */
export async function loadCommands(): Promise<CommandModule[]> {
  return Promise.all(commandDescriptors.map((d) => d.load()));
}
