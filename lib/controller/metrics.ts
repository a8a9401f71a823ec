/** The controller's Prometheus metrics (prom-client, in a registry of its own). */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { PHASES } from '../gate/contract.js';
import type { Phase } from '../gate/contract.js';

export class ControllerMetrics {
  readonly registry = new Registry();
  readonly phase = new Gauge({
    name: 'flink_cutover_phase',
    help: 'Current phase per pipeline and generation (1 = in this phase)',
    labelNames: ['namespace', 'pipeline', 'generation', 'phase'],
    registers: [this.registry],
  });
  readonly gateWatermark = new Gauge({
    name: 'flink_cutover_gate_watermark_milliseconds',
    help: "A color's min committed gate watermark (epoch ms) during a cutover",
    labelNames: ['namespace', 'pipeline', 'color'],
    registers: [this.registry],
  });
  readonly watermarkDistance = new Gauge({
    name: 'flink_cutover_watermark_distance_milliseconds',
    help: "W + lateness minus a color's gate watermark (<= 0: reached)",
    labelNames: ['namespace', 'pipeline', 'color'],
    registers: [this.registry],
  });
  readonly toArmed = new Histogram({
    name: 'flink_cutover_commit_to_armed_seconds',
    help: 'From the controller first seeing a generation in the desired ConfigMap to Armed written',
    labelNames: ['namespace'],
    buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [this.registry],
  });
  readonly toCompleted = new Histogram({
    name: 'flink_cutover_commit_to_completed_seconds',
    help: 'From the controller first seeing a generation to Completed written',
    labelNames: ['namespace'],
    buckets: [5, 30, 60, 300, 600, 1800, 3600, 7200, 21600],
    registers: [this.registry],
  });
  readonly restErrors = new Counter({
    name: 'flink_cutover_rest_errors_total',
    help: 'Flink REST errors by kind (unreachable, timeout, http-status, not-found, bad-json, wrong-shape)',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly restRequests = new Counter({
    name: 'flink_cutover_rest_requests_total',
    help: 'Flink REST requests made',
    registers: [this.registry],
  });
  readonly apiErrors = new Counter({
    name: 'flink_cutover_api_errors_total',
    help: 'Kubernetes API errors by kind (conflict, gone, server, timeout, connection, ...)',
    labelNames: ['kind'],
    registers: [this.registry],
  });
  readonly reconcileDuration = new Histogram({
    name: 'flink_cutover_reconcile_duration_seconds',
    help: 'Duration of one reconcile of one pipeline',
    buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly leader = new Gauge({
    name: 'flink_cutover_leader',
    help: '1 when this replica is the leader (writes), else 0',
    registers: [this.registry],
  });
  readonly statusWrites = new Counter({
    name: 'flink_cutover_status_writes_total',
    help: 'Status ConfigMap writes',
    registers: [this.registry],
  });

  constructor(defaults = false) {
    if (defaults) collectDefaultMetrics({ register: this.registry });
    this.leader.set(0);
  }

  setPhase(namespace: string, pipeline: string, generation: number, phase: Phase): void {
    for (const p of PHASES)
      this.phase.remove({ namespace, pipeline, generation: String(generation), phase: p });
    this.phase.set({ namespace, pipeline, generation: String(generation), phase }, 1);
  }

  forget(namespace: string, pipeline: string): void {
    this.phase.remove({ namespace, pipeline } as never);
    for (const c of ['blue', 'green']) {
      this.gateWatermark.remove({ namespace, pipeline, color: c });
      this.watermarkDistance.remove({ namespace, pipeline, color: c });
    }
  }
}
