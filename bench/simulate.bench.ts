/**
 * Simulator cost: simulated input records per second (each record read by both colors' gates,
 * audited once), over a fixed sweep of random scenarios, for the protocol and for the
 * watermark-gate proposal (same scenarios, no controller, no holding) as the baseline; and the
 * wall time of the `simulate --runs 2000` sweep the README quotes.
 */
import { simulate } from '../lib/simulate/engine.js';
import { sweep, sweepScenario } from '../lib/simulate/sweep.js';
import type { Strategy } from '../lib/simulate/strategies.js';
import { medianMs, report } from './report.js';

const RUNS = 200;
const scenarios = Array.from({ length: RUNS }, (_, i) => sweepScenario(1, i));
const records = scenarios.reduce((n, s) => n + simulate(s, { strategy: 'watermark-gate' }).records, 0);

const rate = (strategy: Strategy): number => {
  const ms = medianMs(() => {
    for (const s of scenarios) simulate(s, { strategy });
  }, 3);
  return records / (ms / 1000);
};

const twoPhase = rate('two-phase');
const wmGate = rate('watermark-gate');
report({
  name: `simulate.two-phase.records-per-second.${RUNS}-runs`,
  value: Math.round(twoPhase),
  unit: 'records/s',
  baseline: `simulate.watermark-gate.records-per-second.${RUNS}-runs`,
  ratio: +(twoPhase / wmGate).toFixed(3),
});
report({
  name: `simulate.watermark-gate.records-per-second.${RUNS}-runs`,
  value: Math.round(wmGate),
  unit: 'records/s',
  baseline: null,
  ratio: null,
});

const traced = medianMs(() => {
  for (const s of scenarios.slice(0, 50)) simulate(s, { strategy: 'two-phase', trace: true });
}, 3);
const plain = medianMs(() => {
  for (const s of scenarios.slice(0, 50)) simulate(s, { strategy: 'two-phase' });
}, 3);
report({
  name: 'simulate.two-phase.traced-run',
  value: +(traced / 50).toFixed(2),
  unit: 'ms/run',
  baseline: 'simulate.two-phase.run',
  ratio: +(traced / plain).toFixed(3),
});
report({
  name: 'simulate.two-phase.run',
  value: +(plain / 50).toFixed(2),
  unit: 'ms/run',
  baseline: null,
  ratio: null,
});

const t0 = process.hrtime.bigint();
const s = sweep(1, 2000, 'two-phase');
const sweepMs = Number(process.hrtime.bigint() - t0) / 1e6;
report({
  name: 'simulate.sweep.2000-runs',
  value: Math.round(sweepMs),
  unit: 'ms',
  baseline: null,
  ratio: null,
});
process.stderr.write(
  `# sweep seed 1 x 2000: ${s.records} records, ${s.duplicates} duplicates, ${s.missing} missing, phases ${JSON.stringify(s.phases)}\n`,
);
