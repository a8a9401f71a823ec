import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { cutoverPipeline, stagedPipeline, steadyPipeline, tempDir } from '../support/pipelines.js';
import { RULES } from '../../lib/policy/rules/index.js';

const NOW = ['--now', '2026-12-01T10:00:00Z'];
// base: staged; head: a cutover 5 minutes ahead (lead-time error) plus a kinesis warning
const base = () => tempDir({ 'orders.yaml': stagedPipeline() });
const head = () =>
  tempDir({
    'orders.yaml': cutoverPipeline((p) => {
      p.spec.cutover.watermark = '2026-12-01T10:05:00Z';
      p.spec.sources.push({ name: 'k', kind: 'kinesis' });
    }),
  });

describe('check output formats', () => {
  it('json has the documented shape and exits 1 on errors', async () => {
    const r = await runCli(['check', '--head', head(), '--base', base(), ...NOW, '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { results: Record<string, unknown>[]; summary: Record<string, number> };
    expect(j.summary).toEqual({ errors: 1, warnings: 1, pipelines: 1 });
    expect(Object.keys(j.results[0]!).sort()).toEqual([
      'file',
      'fix',
      'line',
      'message',
      'path',
      'pipeline',
      'ruleId',
      'severity',
    ]);
    const lead = j.results.find((x) => x.ruleId === 'cutover-lead-time')!;
    expect(lead.file).toMatch(/orders\.yaml$/);
    expect(lead.line).toBeGreaterThan(0);
    expect(lead.path).toBe('/spec/cutover/watermark');
  });
  it('text groups findings by pipeline and ends with a summary', async () => {
    const r = await runCli(['check', '--head', head(), '--base', base(), ...NOW]);
    expect(r.stdout).toMatch(/^orders \(Staged → Cutover\)\n {2}error {3}cutover-lead-time/);
    expect(r.stdout).toMatch(/1 pipeline\(s\) checked: 1 error\(s\), 1 warning\(s\)\n$/);
  });
  it('sarif is 2.1.0 with one rule entry per rule id', async () => {
    const r = await runCli(['check', '--head', head(), '--base', base(), ...NOW, '--format', 'sarif']);
    const s = JSON.parse(r.stdout) as {
      version: string;
      runs: {
        tool: { driver: { rules: { id: string }[] } };
        results: {
          ruleId: string;
          ruleIndex: number;
          level: string;
          locations: { physicalLocation: { region?: { startLine: number } } }[];
        }[];
      }[];
    };
    expect(s.version).toBe('2.1.0');
    const rules = s.runs[0]!.tool.driver.rules;
    expect(rules.map((x) => x.id)).toEqual(RULES.map((x) => x.id));
    for (const res of s.runs[0]!.results) {
      expect(rules[res.ruleIndex]!.id).toBe(res.ruleId);
      expect(res.locations[0]!.physicalLocation.region!.startLine).toBeGreaterThan(0);
    }
    expect(s.runs[0]!.results.map((x) => x.level).sort()).toEqual(['error', 'warning']);
  });
  it('github writes workflow annotations', async () => {
    const r = await runCli(['check', '--head', head(), '--base', base(), ...NOW, '--format', 'github']);
    expect(r.stdout).toMatch(
      /^::error file=[^,]*orders\.yaml,line=\d+,col=\d+,title=cutover-lead-time \(orders\)::/m,
    );
    expect(r.stdout).toMatch(/^::warning file=.*source-quota/m);
  });
  it('junit has a failing test case per error', async () => {
    const r = await runCli(['check', '--head', head(), '--base', base(), ...NOW, '--format', 'junit']);
    expect(r.stdout).toMatch(/<testsuites name="flink-cutover check" tests="\d+" failures="1">/);
    expect(r.stdout).toMatch(/<testcase classname="orders" name="cutover-lead-time">\s*<failure/);
  });
  it('exits 0 with warnings only', async () => {
    const ok = tempDir({
      'orders.yaml': cutoverPipeline((p) => {
        p.spec.sources.push({ name: 'k', kind: 'kinesis' });
      }),
    });
    const r = await runCli(['check', '--head', ok, '--base', base(), ...NOW]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/0 error\(s\), 1 warning\(s\) - ok to merge/);
  });
});

describe('check without a base', () => {
  it('judges only the state at head, not lifecycle steps', async () => {
    const dir = tempDir({
      'orders.yaml': cutoverPipeline((p) => {
        p.spec.cutover.watermark = '2026-12-01T10:05:00Z';
        p.spec.sources[0].consumerGroup = 'shared';
      }),
    });
    const r = await runCli(['check', '--head', dir, ...NOW, '--format', 'json']);
    const j = JSON.parse(r.stdout) as { results: { ruleId: string }[] };
    expect(j.results.map((x) => x.ruleId)).toEqual(['shared-consumer-group']);
    expect(r.code).toBe(1);
  });
});

describe('plan', () => {
  it('states the step and the rendered objects that change, as text and JSON', async () => {
    const r = await runCli(['plan', '--head', head(), '--base', base(), ...NOW, '--format', 'json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout) as {
      pipelines: {
        description: string;
        steps: string[];
        objects: { change: string; kind: string; name: string }[];
      }[];
    };
    expect(j.pipelines[0]!.steps).toEqual(['schedule']);
    expect(j.pipelines[0]!.description).toBe(
      'orders: schedule cutover #1 blue → green at 2026-12-01T10:05:00Z, 5m after now',
    );
    expect(j.pipelines[0]!.objects).toContainEqual(
      expect.objectContaining({ change: 'changed', kind: 'ConfigMap', name: 'orders-cutover' }),
    );
  });
  it('exits 1 on an invalid head and 2 on a bad format', async () => {
    const bad = tempDir({
      'orders.yaml': steadyPipeline((p) => {
        p.spec.active = 'red';
      }),
    });
    expect((await runCli(['plan', '--head', bad])).code).toBe(1);
    expect((await runCli(['plan', '--head', bad, '--format', 'sarif'])).code).toBe(2);
  });
});

describe('promotion commands --help', () => {
  it.each(['stage', 'schedule', 'teardown', 'rollback', 'abandon', 'plan'])(
    '%s documents its options',
    async (name) => {
      const h = await runCli([name, '--help']);
      expect(h.code).toBe(0);
      expect(h.stdout.length).toBeGreaterThan(300);
      if (name !== 'plan')
        for (const o of ['--pipelines', '--now', '--status', '--dry-run']) expect(h.stdout).toContain(o);
    },
  );
});

describe('check on bad input', () => {
  const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .*:\d+:\d+/);
  it('a missing folder is a usage error', async () => {
    const r = await runCli(['check', '--head', '/nonexistent/flink-cutover']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--head \/nonexistent\/flink-cutover: no such folder/);
  });
  it('unreadable YAML is a finding with its line', async () => {
    const dir = tempDir({ 'orders.yaml': 'apiVersion: x\nspec: [unclosed\n' });
    const r = await runCli(['check', '--head', dir, '--format', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout) as { results: { ruleId: string; message: string; line: number }[] };
    expect(j.results[0]!.ruleId).toBe('schema');
    expect(j.results[0]!.message).toMatch(/invalid YAML/);
    noStack(r.stdout + r.stderr);
  });
  it('a spec failing the schema is a finding', async () => {
    const dir = tempDir({
      'orders.yaml': steadyPipeline((p) => {
        p.spec.colors.red = {};
      }),
    });
    const r = await runCli(['check', '--head', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/error {3}schema/);
  });
  it.each([
    [['--format', 'xml'], /--format xml: unknown format; use one of text, json, sarif, github, junit/],
    [['--now', 'tomorrow'], /--now tomorrow: not an ISO-8601 date-time/],
    [
      ['--status', '/nonexistent/status.yaml'],
      /--status \/nonexistent\/status.yaml: cannot read it \(ENOENT\)/,
    ],
    [['--base', '/nonexistent/base'], /--base \/nonexistent\/base: no such folder/],
    [['--base-ref', 'HEAD'], /--base-ref HEAD: /],
  ])('usage error %j', async (args, message) => {
    const dir = tempDir({ 'orders.yaml': steadyPipeline() });
    const r = await runCli(['check', '--head', dir, ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    noStack(r.stderr);
  });
  it('a malformed status file is a usage error', async () => {
    const dir = tempDir({ 'orders.yaml': steadyPipeline() });
    const status = join(dir, 'status.yaml');
    writeFileSync(
      status,
      'kind: ConfigMap\nmetadata: {name: orders-cutover-status}\ndata: {phase: Finished}\n',
    );
    const r = await runCli(['check', '--head', dir, '--status', status]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/phase "Finished" must be one of Pending, Armed, Rejected, Completed/);
  });
  it('a status file that is not YAML says where and what it should be', async () => {
    const dir = tempDir({ 'orders.yaml': steadyPipeline() });
    const status = join(dir, 'status.yaml');
    writeFileSync(status, 'data: {phase: Completed\n');
    const r = await runCli(['check', '--head', dir, '--status', status]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /status\.yaml:\d+: invalid YAML\/JSON: [^\n]*[^:]; it should be the ConfigMap as printed by kubectl get configmap/,
    );
    noStack(r.stderr);
  });
  it('without --head reads apps/pipelines (exit 2 when missing), and --help documents the options', async () => {
    const none = await runCli(['check'], { cwd: tempDir() });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--head apps\/pipelines: no such folder/);
    const h = await runCli(['check', '--help']);
    expect(h.code).toBe(0);
    for (const o of [
      '--head',
      '--base',
      '--base-ref',
      '--now',
      '--status',
      '--allow-unknown-status',
      '--format',
    ])
      expect(h.stdout).toContain(o);
  });
});
