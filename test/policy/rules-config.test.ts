import { describe, expect, it } from 'vitest';
import { cutoverPipeline, stagedPipeline, steadyPipeline } from '../support/pipelines.js';
import { findings } from './support.js';

const staged = stagedPipeline;

describe('parallelism-change', () => {
  it('refuses colors with different parallelism', () => {
    const f = findings(
      'parallelism-change',
      steadyPipeline(),
      staged((p) => {
        p.spec.colors.green.job = { parallelism: 12 };
      }),
    );
    expect(f).toHaveLength(1);
    expect(f[0]!.path).toBe('/spec/colors/green/job/parallelism');
  });
  it('refuses different parallelism.default, nested or dotted', () => {
    const head = staged((p) => {
      delete p.spec.template.job.parallelism;
      p.spec.colors.blue.flinkConfiguration = { parallelism: { default: 4 } };
      p.spec.colors.green.flinkConfiguration = { 'parallelism.default': 6 };
    });
    expect(findings('parallelism-change', undefined, head)).toHaveLength(1);
  });
  it('warns when the autoscaler may rescale a color', () => {
    const f = findings(
      'parallelism-change',
      undefined,
      staged((p) => {
        p.spec.template.flinkConfiguration.job = { autoscaler: { enabled: 'true' } };
      }),
    );
    expect(f.map((x) => x.severity)).toEqual(['warning']);
  });
  it('passes equal parallelism or allowParallelismChange', () => {
    expect(findings('parallelism-change', undefined, staged())).toEqual([]);
    expect(
      findings(
        'parallelism-change',
        undefined,
        staged((p) => {
          p.spec.colors.green.job = { parallelism: 12 };
          p.spec.policy = { allowParallelismChange: true };
        }),
      ),
    ).toEqual([]);
  });
});

describe('processing-time', () => {
  it('refuses processing-time semantics', () => {
    const f = findings(
      'processing-time',
      undefined,
      staged((p) => {
        p.spec.template.flinkConfiguration.pipeline = { 'time-characteristic': 'ProcessingTime' };
      }),
    );
    expect(f).toHaveLength(1); // one template line, shared by both colors
    expect(f[0]!.path).toBe('/spec/template/flinkConfiguration/pipeline/time-characteristic');
  });
  it('refuses disabled watermarks', () => {
    expect(
      findings(
        'processing-time',
        undefined,
        staged((p) => {
          p.spec.colors.green.flinkConfiguration = { 'pipeline.auto-watermark-interval': '0 ms' };
        }),
      ),
    ).toHaveLength(1);
    expect(
      findings(
        'processing-time',
        undefined,
        staged((p) => {
          p.spec.colors.green.flinkConfiguration = { 'pipeline.auto-watermark-interval': '0 sec' };
        }),
      ),
    ).toHaveLength(1);
    expect(
      findings(
        'processing-time',
        undefined,
        staged((p) => {
          p.spec.colors.green.flinkConfiguration = { 'pipeline.auto-watermark-interval': '200 ms' };
        }),
      ),
    ).toEqual([]);
  });
  it('passes event time', () => {
    expect(
      findings(
        'processing-time',
        undefined,
        staged((p) => {
          p.spec.template.flinkConfiguration['pipeline.time-characteristic'] = 'EventTime';
        }),
      ),
    ).toEqual([]);
  });
});

describe('clock-dependent-config', () => {
  it('warns about a non-zero idle timeout (dotted) and state ttl (nested)', () => {
    const head = staged((p) => {
      p.spec.template.flinkConfiguration['table.exec.source.idle-timeout'] = '30 s';
      p.spec.template.flinkConfiguration.table = { exec: { state: { ttl: '1 d' } } };
    });
    const f = findings('clock-dependent-config', undefined, head);
    expect(f.map((x) => x.severity)).toEqual(['warning', 'warning']);
    expect(f.map((x) => x.message).join()).toMatch(/idle-timeout.*ttl|ttl.*idle-timeout/);
  });
  it('passes zero values', () => {
    expect(
      findings(
        'clock-dependent-config',
        undefined,
        staged((p) => {
          p.spec.template.flinkConfiguration['table.exec.source.idle-timeout'] = '0';
          p.spec.template.flinkConfiguration['table.exec.state.ttl'] = '0 ms';
        }),
      ),
    ).toEqual([]);
    for (const zero of ['0 sec', '0 MIN', '0millis', '0 hours', '0 d']) {
      expect(
        findings(
          'clock-dependent-config',
          undefined,
          staged((p) => {
            p.spec.template.flinkConfiguration['table.exec.source.idle-timeout'] = zero;
          }),
        ),
        zero,
      ).toEqual([]);
    }
    expect(
      findings(
        'clock-dependent-config',
        undefined,
        staged((p) => {
          p.spec.template.flinkConfiguration['table.exec.source.idle-timeout'] = '30 sec';
        }),
      ),
    ).toHaveLength(1);
  });
});

describe('shared-consumer-group', () => {
  it('refuses one consumer group for both colors', () => {
    const f = findings(
      'shared-consumer-group',
      undefined,
      staged((p) => {
        p.spec.sources[0].consumerGroup = 'orders';
      }),
    );
    expect(f[0]!.path).toBe('/spec/sources/0/consumerGroup');
  });
  it('refuses a shared group in job args and properties', () => {
    const head = staged((p) => {
      p.spec.template.job.args = ['--group-id', 'orders-app'];
      p.spec.sources[0].properties = { 'group.id': 'fixed' };
    });
    expect(
      findings('shared-consumer-group', undefined, head)
        .map((f) => f.path)
        .sort(),
    ).toEqual(['/spec/sources/0/properties/group.id', '/spec/template/job/args/1']);
  });
  it('warns when a kafka source names no group at all', () => {
    const f = findings(
      'shared-consumer-group',
      undefined,
      staged((p) => {
        delete p.spec.sources[0].consumerGroup;
      }),
    );
    expect(f.map((x) => [x.severity, x.path])).toEqual([['warning', '/spec/sources/0']]);
  });
  it('refuses a shared group in prefixed job args (--kafka.group.id, --properties.group.id=)', () => {
    const head = staged((p) => {
      p.spec.template.job.args = ['--kafka.group.id', 'orders-app', '--properties.group.id=orders-app'];
    });
    expect(findings('shared-consumer-group', undefined, head).map((f) => [f.severity, f.path])).toEqual([
      ['error', '/spec/template/job/args/1'],
      ['error', '/spec/template/job/args/2'],
    ]);
  });
  it('passes per-color groups', () => {
    expect(
      findings(
        'shared-consumer-group',
        undefined,
        staged((p) => {
          p.spec.template.job.args = ['--group-id={{pipeline}}-{{color}}'];
        }),
      ),
    ).toEqual([]);
  });
});

describe('shared-transactional-id', () => {
  it('refuses one transactional id prefix for an exactly-once sink', () => {
    expect(
      findings(
        'shared-transactional-id',
        undefined,
        staged((p) => {
          p.spec.sinks[0].transactionalIdPrefix = 'out';
        }),
      ),
    ).toHaveLength(1);
  });
  it('warns when an exactly-once kafka sink names no prefix', () => {
    expect(
      findings(
        'shared-transactional-id',
        undefined,
        staged((p) => {
          delete p.spec.sinks[0].transactionalIdPrefix;
        }),
      )[0]!.severity,
    ).toBe('warning');
  });
  it('refuses a shared prefix in a prefixed job argument', () => {
    const head = staged((p) => {
      p.spec.template.job.args = ['--sink.transactional-id-prefix=out'];
    });
    expect(findings('shared-transactional-id', undefined, head).map((f) => [f.severity, f.path])).toEqual([
      ['error', '/spec/template/job/args/0'],
    ]);
  });
  it('passes per-color prefixes, and at-least-once sinks', () => {
    expect(findings('shared-transactional-id', undefined, staged())).toEqual([]);
    expect(
      findings(
        'shared-transactional-id',
        undefined,
        staged((p) => {
          p.spec.sinks[0].transactionalIdPrefix = 'out';
          p.spec.sinks[0].deliveryGuarantee = 'at-least-once';
        }),
      ),
    ).toEqual([]);
  });
});

describe('shared-state-paths', () => {
  it('refuses a shared checkpoint dir written nested', () => {
    const head = staged((p) => {
      p.spec.template.flinkConfiguration = { state: { checkpoints: { dir: 's3://b/chk/orders/' } } };
    });
    const f = findings('shared-state-paths', undefined, head);
    expect(f).toHaveLength(1);
    expect(f[0]!.path).toBe('/spec/template/flinkConfiguration/state/checkpoints/dir');
  });
  it('refuses a shared HA dir, ignoring a trailing slash', () => {
    const head = staged((p) => {
      p.spec.colors.blue.flinkConfiguration = { 'high-availability.storageDir': 's3://b/ha/orders' };
      p.spec.colors.green.flinkConfiguration = { 'high-availability.storageDir': 's3://b/ha/orders/' };
    });
    expect(findings('shared-state-paths', undefined, head)).toHaveLength(1);
  });
  it('passes per-color paths', () => {
    expect(findings('shared-state-paths', undefined, staged())).toEqual([]);
  });
});

describe('non-replayable-source', () => {
  it('refuses staging a pipeline that reads a queue', () => {
    expect(
      findings(
        'non-replayable-source',
        steadyPipeline(),
        staged((p) => {
          p.spec.sources[0] = { name: 'in', kind: 'sqs' };
        }),
      )[0]!.path,
    ).toBe('/spec/sources/0/kind');
  });
  it('passes a replayable source, and a steady queue reader', () => {
    expect(findings('non-replayable-source', undefined, staged())).toEqual([]);
    expect(
      findings(
        'non-replayable-source',
        undefined,
        steadyPipeline((p) => {
          p.spec.sources[0] = { name: 'in', kind: 'rabbitmq' };
        }),
      ),
    ).toEqual([]);
  });
});

describe('source-quota', () => {
  it('warns about kinesis while both colors run', () => {
    expect(
      findings(
        'source-quota',
        undefined,
        staged((p) => {
          p.spec.sources[0] = { name: 'in', kind: 'kinesis' };
        }),
      )[0]!.severity,
    ).toBe('warning');
  });
  it('passes kafka', () => {
    expect(findings('source-quota', undefined, staged())).toEqual([]);
  });
});

describe('gateless-cutover', () => {
  it('warns on a cutover from a gateless color', () => {
    const f = findings(
      'gateless-cutover',
      staged((p) => {
        p.spec.colors.blue.gate = false;
      }),
      cutoverPipeline((p) => {
        p.spec.colors.blue.gate = false;
      }),
    );
    expect(f.map((x) => x.severity)).toEqual(['warning']);
  });
  it('refuses a gateless standby', () => {
    expect(
      findings(
        'gateless-cutover',
        undefined,
        staged((p) => {
          p.spec.colors.green.gate = false;
        }),
      )[0]!.severity,
    ).toBe('error');
  });
  it('passes gated colors', () => {
    expect(findings('gateless-cutover', staged(), cutoverPipeline())).toEqual([]);
  });
});

describe('plaintext-secret', () => {
  it('refuses literal credentials in config (nested and dotted), args and properties', () => {
    const head = steadyPipeline((p) => {
      p.spec.template.flinkConfiguration['security.ssl.keystore-password'] = 'hunter2';
      p.spec.template.flinkConfiguration.s3 = { 'secret-key': 'AKIAXXXX' };
      p.spec.template.flinkConfiguration['properties.sasl.jaas.config'] =
        'org.apache.kafka.common.security.plain.PlainLoginModule required username="u" password="p4ss";';
      p.spec.template.job.args = ['--db-password', 'letmein'];
      p.spec.sinks[0].properties = { 'api.token': 'abc' };
      p.spec.sources[0].properties = {
        'sasl.jaas.config': 'PlainLoginModule required username=u password=unquoted;',
      };
    });
    expect(
      findings('plaintext-secret', undefined, head)
        .map((f) => f.path)
        .sort(),
    ).toEqual([
      '/spec/sinks/0/properties/api.token',
      '/spec/sources/0/properties/sasl.jaas.config',
      '/spec/template/flinkConfiguration/properties.sasl.jaas.config',
      '/spec/template/flinkConfiguration/s3/secret-key',
      '/spec/template/flinkConfiguration/security.ssl.keystore-password',
      '/spec/template/job/args/1',
    ]);
  });
  it('passes references and keys naming files or secrets', () => {
    const head = steadyPipeline((p) => {
      p.spec.template.flinkConfiguration['security.ssl.keystore-password'] = '${KEYSTORE_PASSWORD}';
      p.spec.template.flinkConfiguration['kubernetes.secrets'] = 'kafka-creds:/opt/secrets';
      p.spec.template.flinkConfiguration['security.ssl.truststore-password-file'] = '/opt/secrets/pw';
      p.spec.template.flinkConfiguration['sasl.jaas.config'] =
        'PlainLoginModule required username="u" password="${KAFKA_PASSWORD}";';
      p.spec.template.job.args = ['--db-password', '$(DB_PASSWORD)'];
      // Flink's delegation-token settings hold numbers and durations, not tokens
      p.spec.template.flinkConfiguration.security = {
        delegation: { tokens: { renewal: { 'time-ratio': '0.75', retry: { backoff: '1 h' } } } },
      };
      p.spec.template.flinkConfiguration['security.kerberos.relogin.period'] = '1 min';
    });
    expect(findings('plaintext-secret', undefined, head)).toEqual([]);
  });
});

describe('shared-state-paths across Flink 1.x and 2.x spellings', () => {
  it('refuses one color on state.checkpoints.dir and the other on execution.checkpointing.dir with the same path', () => {
    const head = staged((p) => {
      p.spec.template.flinkConfiguration = {};
      p.spec.colors.blue.flinkConfiguration = {
        'state.checkpoints.dir': 's3://b/chk/orders',
        'state.savepoints.dir': 's3://b/sp/orders',
        'high-availability.storageDir': 's3://b/ha/orders',
      };
      p.spec.colors.green.flinkConfiguration = {
        execution: { checkpointing: { dir: 's3://b/chk/orders/', 'savepoint-dir': 's3://b/sp/orders' } },
        'high-availability.storage-dir': 's3://b/ha/orders',
      };
    });
    const f = findings('shared-state-paths', undefined, head);
    expect(f.map((x) => x.path).sort()).toEqual([
      '/spec/colors/green/flinkConfiguration/execution/checkpointing/dir',
      '/spec/colors/green/flinkConfiguration/execution/checkpointing/savepoint-dir',
      '/spec/colors/green/flinkConfiguration/high-availability.storage-dir',
    ]);
    expect(f.find((x) => x.path.endsWith('/dir'))!.message).toContain(
      'blue: state.checkpoints.dir, green: execution.checkpointing.dir',
    );
  });
  it('reports a template setting both spellings once per key, and passes per-color paths in either spelling', () => {
    const both = staged((p) => {
      p.spec.template.flinkConfiguration = {
        'state.checkpoints.dir': 's3://b/chk',
        'execution.checkpointing.dir': 's3://b/chk',
      };
    });
    expect(
      findings('shared-state-paths', undefined, both)
        .map((x) => x.path)
        .sort(),
    ).toEqual([
      '/spec/template/flinkConfiguration/execution.checkpointing.dir',
      '/spec/template/flinkConfiguration/state.checkpoints.dir',
    ]);
    const ok = staged((p) => {
      p.spec.colors.blue.flinkConfiguration = { 'state.checkpoints.dir': 's3://b/chk/orders/blue' };
      p.spec.colors.green.flinkConfiguration = { 'execution.checkpointing.dir': 's3://b/chk/orders/green' };
    });
    expect(findings('shared-state-paths', undefined, ok)).toEqual([]);
  });
});
