/* eslint-disable @typescript-eslint/no-explicit-any -- test fixtures are edited as plain objects */
import { describe, expect, it } from 'vitest';
import { cutoverPipeline, stagedPipeline, steadyPipeline } from '../support/pipelines.js';
import { findings, load, NOW } from './support.js';
import { checkPolicy } from '../../lib/policy/engine.js';

const LATER = '2026-12-01T12:00:00Z';
const cut = (patch?: (p: any) => void) =>
  cutoverPipeline((p) => {
    p.spec.cutover.watermark = LATER;
    patch?.(p);
  });
const tornDown = (g = 1) =>
  steadyPipeline((p) => {
    p.spec.active = 'green';
    p.spec.colors = {
      green: { image: 'reg/orders:1.5.0', initialSavepointPath: 's3://b/chk/orders/blue/chk-4711' },
    };
    p.metadata.annotations = { 'flink-cutover.dev/last-generation': String(g) };
  });

describe('schema', () => {
  it('reports an invalid head spec with its line', () => {
    const f = findings(
      'schema',
      steadyPipeline(),
      steadyPipeline((p) => {
        p.spec.active = 'red';
      }),
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.line).toBeGreaterThan(0);
    expect(f[0]!.path).toBe('/spec/active');
  });
  it('passes a valid spec', () => {
    expect(findings('schema', steadyPipeline(), steadyPipeline())).toEqual([]);
  });
});

describe('one-step', () => {
  it('refuses stage and schedule together', () => {
    const f = findings('one-step', steadyPipeline(), cut());
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/2 lifecycle steps/);
  });
  it('refuses teardown and a new stage together', () => {
    const head = tornDown();
    head.spec.colors.blue = { image: 'reg/orders:1.6.0', initialSavepointPath: 's3://x' };
    expect(findings('one-step', cut(), head)[0]!.message).toMatch(/tear down the old color, then stage/);
  });
  it('names a real way to take each step on its own', () => {
    const f = findings('one-step', cut(), steadyPipeline()); // withdraw the cutover and drop green at once
    expect(f[0]!.fix).toBe(
      'split it into 2 pull requests, one per step: `flink-cutover cancel`, `flink-cutover abandon`',
    );
    expect(findings('one-step', steadyPipeline(), cut())[0]!.fix).toBe(
      'split it into 2 pull requests, one per step: `flink-cutover stage`, `flink-cutover schedule`',
    );
  });
  it('refuses changing the standby while scheduling', () => {
    expect(
      findings(
        'one-step',
        stagedPipeline(),
        cut((p) => {
          p.spec.colors.green.image = 'reg/orders:1.5.1';
        }),
      ),
    ).toHaveLength(1);
  });
  it('passes single steps', () => {
    expect(findings('one-step', steadyPipeline(), stagedPipeline())).toEqual([]);
    expect(findings('one-step', stagedPipeline(), cut())).toEqual([]);
    expect(findings('one-step', cut(), tornDown())).toEqual([]);
  });
});

describe('lifecycle-transition', () => {
  it('refuses switching active without a cutover', () => {
    const f = findings(
      'lifecycle-transition',
      stagedPipeline(),
      stagedPipeline((p) => {
        p.spec.active = 'green';
      }),
    );
    expect(f[0]!.message).toMatch(/without a cutover/);
  });
  it('refuses withdrawing an armed cutover', () => {
    expect(
      findings('lifecycle-transition', cut(), stagedPipeline(), {
        status: { generation: '1', phase: 'Armed' },
      })[0]!.severity,
    ).toBe('error');
  });
  it('passes withdrawing a rejected cutover; refuses it without status, warns with allowUnknownStatus', () => {
    expect(
      findings('lifecycle-transition', cut(), stagedPipeline(), {
        status: { generation: '1', phase: 'Rejected' },
      }),
    ).toEqual([]);
    expect(findings('lifecycle-transition', cut(), stagedPipeline())[0]!.severity).toBe('error');
    expect(
      findings('lifecycle-transition', cut(), stagedPipeline(), { allowUnknownStatus: true })[0]!.severity,
    ).toBe('warning');
  });
  it('refuses rescheduling an armed or completed cutover (or without status), passes a rejected one', () => {
    const later = cut((p) => {
      p.spec.cutover = { generation: 2, to: 'green', watermark: '2026-12-01T14:00:00Z' };
    });
    for (const phase of ['Armed', 'Completed']) {
      const f = findings('lifecycle-transition', cut(), later, { status: { generation: '1', phase } });
      expect(
        f.map((x) => [x.severity, x.path]),
        phase,
      ).toEqual([['error', '/spec/cutover']]);
      expect(f[0]!.message).toMatch(new RegExp(`cutover #1 is ${phase}; rescheduling`));
    }
    expect(
      findings('lifecycle-transition', cut(), later, { status: { generation: '1', phase: 'Rejected' } }),
    ).toEqual([]);
    const none = findings('lifecycle-transition', cut(), later)[0]!;
    expect(none.severity).toBe('error');
    expect(none.fix).toMatch(/--allow-unknown-status/);
    expect(findings('lifecycle-transition', cut(), later, { allowUnknownStatus: true })[0]!.severity).toBe(
      'warning',
    );
  });
});

describe('active-spec-changed', () => {
  it('refuses a template change that restarts the active color, naming the field', () => {
    const f = findings(
      'active-spec-changed',
      stagedPipeline(),
      stagedPipeline((p) => {
        p.spec.template.taskManager.resource.memory = '8192m';
      }),
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.message).toMatch(/taskManager\.resource\.memory/);
    expect(f[0]!.path).toBe('/spec/template/taskManager/resource/memory');
  });
  it('catches nested and dotted flinkConfiguration spellings', () => {
    const base = steadyPipeline((p) => {
      p.spec.template.flinkConfiguration = { state: { 'checkpoints.dir': 's3://a/{{color}}' } };
    });
    const head = steadyPipeline((p) => {
      p.spec.template.flinkConfiguration = { 'state.checkpoints.dir': 's3://b/{{color}}' };
    });
    expect(findings('active-spec-changed', base, head)[0]!.message).toMatch(
      /flinkConfiguration\.state\.checkpoints\.dir/,
    );
    const same = steadyPipeline((p) => {
      p.spec.template.flinkConfiguration = { 'state.checkpoints.dir': 's3://a/{{color}}' };
    });
    expect(findings('active-spec-changed', base, same)).toEqual([]);
  });
  it('passes keys the operator applies without a restart', () => {
    const head = steadyPipeline((p) => {
      p.spec.template.flinkConfiguration['kubernetes.operator.savepoint.history.max.count'] = '5';
      p.spec.template.flinkConfiguration.job = { autoscaler: { enabled: 'false' } };
      p.spec.template.job.savepointTriggerNonce = 3;
      p.spec.template.job.upgradeMode = 'last-state';
    });
    expect(findings('active-spec-changed', steadyPipeline(), head)).toEqual([]);
  });
  it('passes changing only the standby color', () => {
    expect(
      findings(
        'active-spec-changed',
        stagedPipeline(),
        stagedPipeline((p) => {
          p.spec.colors.green.image = 'reg/orders:1.5.1';
        }),
      ),
    ).toEqual([]);
  });
  it('refuses changing the color taking over during a cutover', () => {
    expect(
      findings(
        'active-spec-changed',
        cut(),
        cut((p) => {
          p.spec.colors.green.image = 'reg/orders:1.5.1';
        }),
      ),
    ).toHaveLength(1);
  });
});

describe('cutover-target', () => {
  it('refuses a cutover to a color that was not staged at base', () => {
    expect(findings('cutover-target', steadyPipeline(), cut())[0]!.message).toMatch(/not staged at base/);
  });
  it('reports cutover.to equal to active under this rule id', () => {
    const f = findings(
      'cutover-target',
      stagedPipeline(),
      cut((p) => {
        p.spec.cutover.to = 'blue';
      }),
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.path).toBe('/spec/cutover/to');
  });
  it('passes a cutover to the staged standby and a rollback', () => {
    expect(findings('cutover-target', stagedPipeline(), cut())).toEqual([]);
    const rb = cut((p) => {
      p.spec.active = 'green';
      p.spec.cutover = { generation: 2, to: 'blue', watermark: LATER };
    });
    expect(findings('cutover-target', cut(), rb)).toEqual([]);
  });
});

describe('cutover-generation', () => {
  it('refuses a generation not above the one recorded at base', () => {
    const base = stagedPipeline((p) => {
      p.metadata.annotations = { 'flink-cutover.dev/last-generation': '3' };
    });
    const head = cut((p) => {
      p.metadata.annotations = { 'flink-cutover.dev/last-generation': '3' };
      p.spec.cutover.generation = 3;
    });
    expect(findings('cutover-generation', base, head)[0]!.fix).toMatch(/generation 4/);
  });
  it('refuses a changed watermark under the same generation', () => {
    expect(
      findings(
        'cutover-generation',
        cut(),
        cut((p) => {
          p.spec.cutover.watermark = '2026-12-01T13:00:00Z';
        }),
      ),
    ).toHaveLength(1);
  });
  it('refuses a generation the controller already used', () => {
    expect(
      findings('cutover-generation', stagedPipeline(), cut(), {
        status: { generation: '1', phase: 'Rejected' },
      }),
    ).toHaveLength(1);
  });
  it('refuses a teardown that forgets the generation', () => {
    const head = tornDown();
    delete head.metadata.annotations;
    expect(findings('cutover-generation', cut(), head)[0]!.message).toMatch(/forgets cutover generation 1/);
  });
  it('passes the next generation', () => {
    expect(findings('cutover-generation', stagedPipeline(), cut())).toEqual([]);
    expect(
      findings(
        'cutover-generation',
        cut(),
        cut((p) => {
          p.spec.cutover = { generation: 2, to: 'green', watermark: '2026-12-01T13:00:00Z' };
        }),
      ),
    ).toEqual([]);
  });
});

describe('cutover-lead-time', () => {
  it('refuses a watermark closer than minLeadTime', () => {
    const f = findings(
      'cutover-lead-time',
      stagedPipeline(),
      cut((p) => {
        p.spec.cutover.watermark = '2026-12-01T10:05:00Z';
      }),
    );
    expect(f[0]!.severity).toBe('error');
    expect(f[0]!.message).toMatch(/only 5m after now/);
  });
  it('states durations and the suggested watermark to the second when now has milliseconds', () => {
    const f = findings(
      'cutover-lead-time',
      stagedPipeline(),
      cut((p) => {
        p.spec.cutover.watermark = '2026-12-01T10:05:00Z';
      }),
      { now: NOW + 769 },
    );
    expect(f[0]!.message).toMatch(/only 4m59s after now \(2026-12-01T10:00:00\.769Z\)/);
    expect(f[0]!.fix).toMatch(/^set the watermark to 2026-12-01T10:15:01Z or later/);
  });
  it('refuses a watermark in the past', () => {
    expect(
      findings(
        'cutover-lead-time',
        stagedPipeline(),
        cut((p) => {
          p.spec.cutover.watermark = '2026-12-01T09:00:00Z';
        }),
      )[0]!.message,
    ).toMatch(/1h in the past/);
  });
  it('warns when more than 7 days ahead', () => {
    expect(
      findings(
        'cutover-lead-time',
        stagedPipeline(),
        cut((p) => {
          p.spec.cutover.watermark = '2026-12-20T10:00:00Z';
        }),
      )[0]!.severity,
    ).toBe('warning');
  });
  it('passes a watermark after the lead time, and an unchanged cutover later on', () => {
    expect(findings('cutover-lead-time', stagedPipeline(), cut())).toEqual([]);
    expect(findings('cutover-lead-time', cut(), cut(), { now: NOW + 86_400_000 })).toEqual([]);
  });
});

describe('gate-changed-during-cutover', () => {
  it('refuses changing the lateness or mode of an in-flight generation', () => {
    const f = findings(
      'gate-changed-during-cutover',
      cut(),
      cut((p) => {
        p.spec.gate = { mode: 'tag', lateness: '10m' };
      }),
    );
    expect(f.map((x) => x.path).sort()).toEqual(['/spec/gate/lateness', '/spec/gate/mode']);
  });
  it('passes a gate change while staged, or with a new generation', () => {
    expect(
      findings(
        'gate-changed-during-cutover',
        stagedPipeline(),
        stagedPipeline((p) => {
          p.spec.gate.lateness = '10m';
        }),
      ),
    ).toEqual([]);
    expect(
      findings(
        'gate-changed-during-cutover',
        cut(),
        cut((p) => {
          p.spec.gate.lateness = '10m';
          p.spec.cutover.generation = 2;
          p.spec.cutover.watermark = '2026-12-01T13:00:00Z';
        }),
      ),
    ).toEqual([]);
  });
});

describe('missing-initial-state', () => {
  it('refuses a new stateful standby without initialSavepointPath', () => {
    const f = findings(
      'missing-initial-state',
      steadyPipeline(),
      stagedPipeline((p) => {
        delete p.spec.colors.green.initialSavepointPath;
      }),
    );
    expect(f[0]!.path).toBe('/spec/colors/green');
  });
  it('passes with a savepoint, or a stateless job', () => {
    expect(findings('missing-initial-state', steadyPipeline(), stagedPipeline())).toEqual([]);
    const stateless = stagedPipeline((p) => {
      delete p.spec.colors.green.initialSavepointPath;
      p.spec.template.job.upgradeMode = 'stateless';
    });
    expect(
      findings(
        'missing-initial-state',
        steadyPipeline((p) => {
          p.spec.template.job.upgradeMode = 'stateless';
        }),
        stateless,
      ),
    ).toEqual([]);
  });
});

describe('teardown-before-complete', () => {
  const done = { generation: '1', phase: 'Completed', completedAt: '2026-12-01T12:30:00Z' };
  it('refuses a teardown while the cutover is Armed', () => {
    expect(
      findings('teardown-before-complete', cut(), tornDown(), {
        status: { generation: '1', phase: 'Armed' },
        now: Date.parse('2026-12-01T13:00:00Z'),
      })[0]!.message,
    ).toMatch(/is Armed/);
  });
  it('refuses a teardown of a status for another generation', () => {
    expect(
      findings('teardown-before-complete', cut(), tornDown(), {
        status: { ...done, generation: '0' },
        now: Date.parse('2026-12-01T14:00:00Z'),
      })[0]!.severity,
    ).toBe('error');
  });
  it('refuses a teardown before teardownDelay has passed', () => {
    expect(
      findings('teardown-before-complete', cut(), tornDown(), {
        status: done,
        now: Date.parse('2026-12-01T12:40:00Z'),
      })[0]!.message,
    ).toMatch(/completed 10m ago/);
  });
  it('refuses without a status; warns with allowUnknownStatus', () => {
    const f = findings('teardown-before-complete', cut(), tornDown())[0]!;
    expect(f.severity).toBe('error');
    expect(f.fix).toMatch(/pass --status.*--allow-unknown-status/);
    expect(
      findings('teardown-before-complete', cut(), tornDown(), { allowUnknownStatus: true })[0]!.severity,
    ).toBe('warning');
  });
  it('measures teardownDelay in whole seconds, as promotion commands measure now', () => {
    // A teardown run the moment the status says Completed (completedAt with milliseconds, now
    // truncated to the second) and teardownDelay 30m: 30m after the completing second is enough.
    const ms = { ...done, completedAt: '2026-12-01T12:30:00.750Z' };
    expect(
      findings('teardown-before-complete', cut(), tornDown(), {
        status: ms,
        now: Date.parse('2026-12-01T13:00:00Z'),
      }),
    ).toEqual([]);
    expect(
      findings('teardown-before-complete', cut(), tornDown(), {
        status: ms,
        now: Date.parse('2026-12-01T12:59:59Z'),
      }),
    ).toHaveLength(1);
  });
  it('passes once Completed and the delay passed', () => {
    expect(
      findings('teardown-before-complete', cut(), tornDown(), {
        status: done,
        now: Date.parse('2026-12-01T13:00:00Z'),
      }),
    ).toEqual([]);
  });
});

describe('rollback-before-armed', () => {
  const rb = () =>
    cut((p) => {
      p.spec.active = 'green';
      p.spec.cutover = { generation: 2, to: 'blue', watermark: '2026-12-01T13:00:00Z' };
    });
  it('refuses rolling back a rejected cutover', () => {
    expect(
      findings('rollback-before-armed', cut(), rb(), { status: { generation: '1', phase: 'Rejected' } })[0]!
        .severity,
    ).toBe('error');
  });
  it('refuses rolling back a cutover that is Armed but not Completed', () => {
    const f = findings('rollback-before-armed', cut(), rb(), { status: { generation: '1', phase: 'Armed' } });
    expect(f[0]!.severity).toBe('error');
    expect(f[0]!.message).toMatch(/Armed, not Completed/);
  });
  it('refuses rolling back without a status; warns with allowUnknownStatus', () => {
    expect(findings('rollback-before-armed', cut(), rb())[0]!.severity).toBe('error');
    expect(findings('rollback-before-armed', cut(), rb(), { allowUnknownStatus: true })[0]!.severity).toBe(
      'warning',
    );
  });
  it('passes rolling back a completed cutover', () => {
    expect(
      findings('rollback-before-armed', cut(), rb(), { status: { generation: '1', phase: 'Completed' } }),
    ).toEqual([]);
  });
});

describe('pipeline-removed', () => {
  it('refuses deleting a running pipeline', () => {
    const f = findings('pipeline-removed', steadyPipeline(), undefined);
    expect(f[0]!.file).toBe('p/orders.yaml');
    expect(f[0]!.message).toMatch(/is not suspended/);
  });
  it('refuses deleting a staged pipeline even when suspended', () => {
    expect(
      findings(
        'pipeline-removed',
        stagedPipeline((p) => {
          p.spec.template.job.state = 'suspended';
        }),
        undefined,
      ),
    ).toHaveLength(1);
  });
  it('passes deleting a suspended steady pipeline', () => {
    expect(
      findings(
        'pipeline-removed',
        steadyPipeline((p) => {
          p.spec.template.job.state = 'suspended';
        }),
        undefined,
      ),
    ).toEqual([]);
  });
  it('does not report a pipeline whose head file is broken as removed', () => {
    const r = checkPolicy({
      base: load(steadyPipeline()),
      head: load(
        steadyPipeline((p) => {
          p.spec.active = 'red';
        }),
      ),
      now: NOW,
    });
    expect(r.results.map((f) => f.ruleId)).toEqual(['schema']);
  });
});
