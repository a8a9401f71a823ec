import { effectiveSpec, lifecycleState } from '../../spec/effective.js';
import { findingAt } from '../findings.js';
import { DECOMMISSION_FIX } from './active-spec-changed.js';
import type { Finding, Rule, RuleContext } from '../types.js';

export const pipelineRemoved: Rule = {
  id: 'pipeline-removed',
  severity: 'error',
  summary: 'A pipeline is deleted while it runs (or mid-promotion).',
  doc: "Deleting a pipeline file makes Argo CD prune its FlinkDeployments: the job stops without a final savepoint being guaranteed, and its output stops for good. Mid-promotion (Staged or Cutover) it also strands the controller's handover. Remove a pipeline in two pull requests: first set only job.state: suspended and job.upgradeMode: savepoint on the active color of the steady pipeline (the operator takes a savepoint and stops the job; active-spec-changed allows exactly this change), then delete the file in the next pull request, once the base has it suspended. Renaming or moving a pipeline to another namespace counts as a removal plus a new pipeline.",
  transitionOnly: true,
  check: ({ pair }: RuleContext): Finding[] => {
    const { base, head } = pair;
    if (!base || head) return [];
    const p = base.pipeline;
    const state = lifecycleState(p);
    if (state === 'Steady' && effectiveSpec(p, p.spec.active).job?.state === 'suspended') return [];
    const why = state === 'Steady' ? `it runs (${p.spec.active} is not suspended)` : `it is ${state}`;
    const f = findingAt(
      pipelineRemoved,
      base,
      '/metadata/name',
      `pipeline ${pair.key.replace(/^\//, '')} is removed while ${why}: its job would stop without a savepoint and its output with it`,
      state === 'Steady'
        ? `keep the file; ${DECOMMISSION_FIX}`
        : `keep the file and finish (teardown) or abandon the promotion first; then, ${DECOMMISSION_FIX}`,
    );
    return [{ ...f, line: 0, column: 0 }];
  },
};
