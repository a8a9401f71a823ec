import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../lib/policy/engine.js';
import { fileUri, formatJunit, formatSarif, formatText } from '../../lib/policy/format.js';
import { RULES } from '../../lib/policy/rules/index.js';
import { stagedPipeline, steadyPipeline } from '../support/pipelines.js';
import { load, NOW } from './support.js';

// Two pipelines named orders (namespaces a and b) in one file; only the second has findings.
const inNs = (ns: string, p: { metadata: { namespace?: string } }) => {
  p.metadata.namespace = ns;
  return p;
};
const twoDocs = (second: unknown) => `${stringify(inNs('a', steadyPipeline()))}---\n${stringify(second)}`;

describe('report formats', () => {
  it('text and junit tell apart pipelines of one name in two namespaces of one file', () => {
    const base = load(twoDocs(inNs('b', steadyPipeline())));
    const head = load(
      twoDocs(
        inNs(
          'b',
          stagedPipeline((p) => {
            p.spec.colors.green.job = { parallelism: 3 };
            p.spec.sources[0].consumerGroup = 'shared';
          }),
        ),
      ),
    );
    const r = checkPolicy({ base, head, now: NOW });
    expect(r.summary.errors).toBe(2);
    const text = formatText(r);
    expect(text).toMatch(/^b\/orders \(Steady → Staged\)\n/);
    expect(text).not.toMatch(/^a\/orders/m);
    const junit = formatJunit(r, RULES);
    expect(junit).toMatch(/<testsuite name="a\/orders" tests="\d+" failures="0"/);
    expect(junit).toMatch(/<testsuite name="b\/orders" tests="\d+" failures="2"/);
  });
  it('junit: one <failure> per failing test case, counts by test case, no control characters', () => {
    const head = load(
      stagedPipeline((p) => {
        p.spec.template.flinkConfiguration['state.checkpoints.dir'] = 's3://b/chk\u0001';
        p.spec.template.flinkConfiguration['state.savepoints.dir'] = 's3://b/sp';
      }),
    );
    const r = checkPolicy({ base: head, head, now: NOW });
    expect(r.results.filter((f) => f.ruleId === 'shared-state-paths')).toHaveLength(2);
    const junit = formatJunit(r, RULES);
    const testcase = /<testcase classname="orders" name="shared-state-paths">([\s\S]*?)<\/testcase>/.exec(
      junit,
    )![1]!;
    expect(testcase.match(/<failure /g)).toHaveLength(1);
    expect(testcase).toContain('(and 1 more)');
    expect(junit).toMatch(/<testsuites name="flink-cutover check" tests="\d+" failures="1">/);
    expect(junit).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/); // eslint-disable-line no-control-regex
  });
  it('sarif artifact URIs are URI references', () => {
    expect(fileUri('apps/pipelines/orders.yaml')).toBe('apps/pipelines/orders.yaml');
    expect(fileUri('my specs/c:1#2.yaml')).toBe('my%20specs/c%3A1%232.yaml');
    expect(fileUri('/tmp/x y/o.yaml')).toBe('file:///tmp/x%20y/o.yaml');
    expect(fileUri('C:\\work\\o.yaml')).toBe('file:///C:/work/o.yaml');
    const head = load(
      stagedPipeline((p) => {
        p.spec.sources[0].consumerGroup = 'shared';
      }),
    );
    const sarif = JSON.parse(formatSarif(checkPolicy({ base: head, head, now: NOW }), RULES, '0.0.0')) as {
      runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
    };
    expect(sarif.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri).toBe(
      'p/orders.yaml',
    );
  });
});
