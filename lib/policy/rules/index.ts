import type { Rule } from '../types.js';
import { activeSpecChanged } from './active-spec-changed.js';
import { clockDependentConfig } from './clock-dependent-config.js';
import { cutoverGeneration } from './cutover-generation.js';
import { cutoverLeadTime } from './cutover-lead-time.js';
import { cutoverTarget } from './cutover-target.js';
import { gateChangedDuringCutover } from './gate-changed-during-cutover.js';
import { gatelessCutover } from './gateless-cutover.js';
import { lifecycleTransition } from './lifecycle-transition.js';
import { missingInitialState } from './missing-initial-state.js';
import { nonReplayableSource } from './non-replayable-source.js';
import { oneStep } from './one-step.js';
import { parallelismChange } from './parallelism-change.js';
import { pipelineRemoved } from './pipeline-removed.js';
import { plaintextSecret } from './plaintext-secret.js';
import { podSecurity } from './pod-security.js';
import { processingTime } from './processing-time.js';
import { rollbackBeforeArmed } from './rollback-before-armed.js';
import { schema } from './schema.js';
import { sharedConsumerGroup } from './shared-consumer-group.js';
import { sharedStatePaths } from './shared-state-paths.js';
import { sharedTransactionalId } from './shared-transactional-id.js';
import { sourceQuota } from './source-quota.js';
import { teardownBeforeComplete } from './teardown-before-complete.js';

/** Every policy rule, in the order findings are reported for a pipeline. */
export const RULES: readonly Rule[] = [
  schema,
  oneStep,
  lifecycleTransition,
  activeSpecChanged,
  cutoverTarget,
  cutoverGeneration,
  cutoverLeadTime,
  gateChangedDuringCutover,
  parallelismChange,
  processingTime,
  clockDependentConfig,
  sharedConsumerGroup,
  sharedTransactionalId,
  sharedStatePaths,
  nonReplayableSource,
  sourceQuota,
  missingInitialState,
  teardownBeforeComplete,
  rollbackBeforeArmed,
  gatelessCutover,
  plaintextSecret,
  podSecurity,
  pipelineRemoved,
];

/** The rule with this id. */
export function ruleById(id: string): Rule | undefined {
  return RULES.find((r) => r.id === id);
}
