import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { credentialIn } from '../../lib/spec/credentials.js';
import { loadPipelineText } from '../../lib/spec/load.js';
import { steadyPipeline } from '../support/pipelines.js';
import { findings } from './support.js';

describe('pod-security', () => {
  const pod = (spec: object) => steadyPipeline((p) => void (p.spec.template.podTemplate = { spec }));
  it('passes a pod template a restricted namespace accepts', () => {
    expect(
      findings(
        'pod-security',
        undefined,
        pod({
          securityContext: { runAsNonRoot: true, runAsUser: 9999 },
          containers: [
            {
              name: 'flink-main-container',
              securityContext: {
                allowPrivilegeEscalation: false,
                capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] },
              },
            },
          ],
          volumes: [{ name: 'x', emptyDir: {} }],
        }),
      ),
    ).toEqual([]);
  });
  it('warns about privileged, root, host namespaces, hostPath, added capabilities and Unconfined seccomp', () => {
    const f = findings(
      'pod-security',
      undefined,
      pod({
        hostNetwork: true,
        hostPID: true,
        securityContext: { runAsUser: 0, seccompProfile: { type: 'Unconfined' } },
        containers: [
          {
            name: 'c',
            securityContext: {
              privileged: true,
              allowPrivilegeEscalation: true,
              capabilities: { add: ['SYS_ADMIN'] },
            },
            ports: [{ containerPort: 1, hostPort: 80 }],
          },
        ],
        volumes: [{ name: 'h', hostPath: { path: '/' } }],
      }),
    );
    expect(f.every((x) => x.severity === 'warning')).toBe(true);
    expect(f.map((x) => x.path).sort()).toEqual([
      '/spec/template/podTemplate/spec/containers/0/ports/0/hostPort',
      '/spec/template/podTemplate/spec/containers/0/securityContext/allowPrivilegeEscalation',
      '/spec/template/podTemplate/spec/containers/0/securityContext/capabilities/add',
      '/spec/template/podTemplate/spec/containers/0/securityContext/privileged',
      '/spec/template/podTemplate/spec/hostNetwork',
      '/spec/template/podTemplate/spec/hostPID',
      '/spec/template/podTemplate/spec/securityContext/runAsUser',
      '/spec/template/podTemplate/spec/securityContext/seccompProfile/type',
      '/spec/template/podTemplate/spec/volumes/0/hostPath',
    ]);
  });
  it("refuses them with spec.policy.podSecurity: enforce, also in a color's taskManager pod template", () => {
    const head = steadyPipeline((p) => {
      p.spec.policy = { podSecurity: 'enforce' };
      p.spec.colors.blue.taskManager = {
        podTemplate: { spec: { containers: [{ name: 'c', securityContext: { privileged: true } }] } },
      };
    });
    const f = findings('pod-security', undefined, head);
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({
      severity: 'error',
      path: '/spec/colors/blue/taskManager/podTemplate/spec/containers/0/securityContext/privileged',
    });
  });
  it("warns that a pipeline without serviceAccount runs as the namespace's default account", () => {
    const f = findings(
      'pod-security',
      undefined,
      steadyPipeline((p) => void delete p.spec.template.serviceAccount),
    );
    expect(f.map((x) => x.message)).toEqual([
      'no serviceAccount: the job\'s pods run as the namespace\'s "default" service account, shared with every other workload there',
    ]);
  });
});

describe('plaintext-secret, in any field', () => {
  it('refuses account keys under other names, URL credentials, env values, annotations and token shapes', () => {
    const head = steadyPipeline((p) => {
      p.spec.template.flinkConfiguration['fs.azure.account.key.acct.blob.core.windows.net'] = 'c2VjcmV0';
      p.spec.template.job.jarURI = 'https://deploy:hunter2@artifacts.example.com/orders.jar';
      p.spec.template.podTemplate = {
        spec: {
          containers: [
            {
              name: 'c',
              env: [
                { name: 'DB_PASSWORD', value: 'letmein' },
                { name: 'SAFE', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } },
              ],
            },
          ],
        },
      };
      p.spec.sources[0].properties = {
        'bootstrap.servers': 'kafka:9092',
        endpoint: 'https://s3.example.com/b?X-Amz-Signature=abc123',
      };
      p.metadata.annotations = { 'example.com/deploy-token': 'ghp_' + 'a'.repeat(36) };
    });
    expect(
      findings('plaintext-secret', undefined, head)
        .map((f) => f.path)
        .sort(),
    ).toEqual([
      '/metadata/annotations/example.com~1deploy-token',
      '/spec/sources/0/properties/endpoint',
      '/spec/template/flinkConfiguration/fs.azure.account.key.acct.blob.core.windows.net',
      '/spec/template/job/jarURI',
      '/spec/template/podTemplate/spec/containers/0/env/0/value',
    ]);
  });
  it('passes references: ${VAR}, secretKeyRef, URLs without credentials, a user name without a password', () => {
    const head = steadyPipeline((p) => {
      p.spec.template.job.jarURI = 'https://deploy@artifacts.example.com/orders.jar?version=3';
      p.spec.template.podTemplate = {
        spec: { containers: [{ name: 'c', env: [{ name: 'DB_PASSWORD', value: '${DB_PASSWORD}' }] }] },
      };
      p.spec.template.flinkConfiguration['fs.azure.account.key.acct.blob.core.windows.net'] = '${AZURE_KEY}';
    });
    expect(findings('plaintext-secret', undefined, head)).toEqual([]);
  });
  it('recognizes credential shapes (unit)', () => {
    expect(credentialIn('postgres://u:p@db:5432/x')).toMatch(/password in the URL postgres:\/\/db:5432\/x/);
    expect(credentialIn('https://h.example/x?token=abc')).toMatch(/query parameter "token"/);
    expect(credentialIn('https://h.example/x?token=${T}')).toBeUndefined();
    expect(credentialIn('-----BEGIN RSA PRIVATE KEY-----')).toBe('a private key');
    expect(credentialIn('AKIAABCDEFGHIJKLMNOP')).toBe('an AWS access key id');
    expect(credentialIn('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=abc;')).toMatch(/Azure/);
    expect(credentialIn('https://h.example/path')).toBeUndefined();
  });
  it("never renders a credential into the verify Job's args: a validation URL with one is a spec error", () => {
    const text = stringify(
      steadyPipeline(
        (p) => void (p.spec.validation = { http: [{ name: 'h', url: 'https://u:secret@h.example/health' }] }),
      ),
    );
    const r = loadPipelineText('p/orders.yaml', text);
    expect(r.diagnostics.map((d) => `${d.path}: ${d.message}`)).toEqual([
      "/spec/validation/http/0/url: the URL holds a password in the URL https://h.example/health; it would be rendered in clear text into the validation Job's args",
    ]);
  });
});
