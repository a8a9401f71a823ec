import { findingAt } from '../findings.js';
import type { Step } from '../transition.js';
import type { Finding, Rule, RuleContext } from '../types.js';

const WORDS: Record<Step, string> = {
  create: 'create',
  stage: 'stage a standby color',
  restage: 'change the standby color',
  schedule: 'schedule a cutover',
  reschedule: 'reschedule the cutover',
  unschedule: 'withdraw the cutover',
  rollback: 'roll back',
  teardown: 'tear down the old color',
  abandon: 'abandon the standby color',
  remove: 'remove',
};

/** How a person takes each step on its own (a promotion command where there is one). */
const HOW: Record<Step, string> = {
  create: 'add the pipeline file',
  stage: '`flink-cutover stage`',
  restage: 'edit the standby color',
  schedule: '`flink-cutover schedule`',
  reschedule: '`flink-cutover schedule` (after Rejected)',
  unschedule: '`flink-cutover cancel`',
  rollback: '`flink-cutover rollback`',
  teardown: '`flink-cutover teardown`',
  abandon: '`flink-cutover abandon`',
  remove: 'delete the pipeline file',
};

export const oneStep: Rule = {
  id: 'one-step',
  severity: 'error',
  summary: 'A pull request takes more than one lifecycle step.',
  doc: 'Each lifecycle arrow (stage, schedule, cancel, teardown, rollback, abandon) must be its own pull request: the validation gates check the standby color between stage and schedule, the controller must report Completed between schedule and teardown, and each step must be revertable alone by reverting its merge commit. Combining steps (stage and schedule together, or teardown and a new stage) skips those checks. Split the change: use one promotion command per pull request (`flink-cutover stage`, then `schedule`, then `teardown`).',
  transitionOnly: true,
  check: ({ pair }: RuleContext): Finding[] => {
    const steps = pair.transition.steps;
    if (steps.length < 2 || !pair.head) return [];
    const path = pair.head.pipeline.spec.cutover ? '/spec/cutover' : '/spec/colors';
    return [
      findingAt(
        oneStep,
        pair.head,
        path,
        `this change takes ${steps.length} lifecycle steps at once (${steps.map((s) => WORDS[s]).join(', then ')}), ${pair.baseState} → ${pair.headState}`,
        `split it into ${steps.length} pull requests, one per step: ${steps.map((s) => HOW[s]).join(', ')}`,
      ),
    ];
  },
};
