import type { CommandModule } from '../io.js';
import { registerSynth } from './synth.js';
import { registerInit } from './init.js';
import { registerCheck } from './check.js';
import { registerVerify } from './verify.js';

/** Every command of the CLI, in the order `--help` lists them. */
export const commands: CommandModule[] = [registerSynth, registerInit, registerCheck, registerVerify];
