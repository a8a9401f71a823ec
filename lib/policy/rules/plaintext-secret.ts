import { toPointer } from '../../spec/diagnostics.js';
import type { LoadedPipeline } from '../../spec/load.js';
import { COLORS } from '../../spec/types.js';
import { flattenWithPointers } from '../config.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';
import { credentialIn, stringsOf } from '../../spec/credentials.js';

/** Key names that hold credentials. */
const SECRET_KEY =
  /(password|passwd|secret|token|credential|sasl\.jaas\.config|access[-._]?key|account[-._]?key|private[-._]?key|api[-._]?key|auth[-._]?key|signing[-._]?key|encryption[-._]?key|sas[-._]?key|connection[-._]?string|bearer)/i;
/** Key names that hold a reference to a credential (a file, a name), not the credential. */
const REFERENCE_KEY =
  /([-._](file|path|dir|name|names|provider|class|type|enabled|location|uri|url|mount|secrets|renewer|interval|timeout|ttl|attempts|ratio|backoff|period|retries))$/i;
/** Values that are references, not literals: env/placeholder syntax, files, secret stores. */
const REFERENCE_VALUE =
  /^(\$\{[^}]+\}|\$\([^)]+\)|\{\{[^}]+\}\}|file:|\/|secret:|secretref:|vault:|env:|k8s:)/i;
const ARG_FLAG =
  /^--?([a-z0-9]+[-._])*(password|passwd|secret|token|api[-._]?key|access[-._]?key|private[-._]?key)$/i;

/** Whether a value under a credential key is a literal secret. */
export function isLiteralSecret(key: string, value: string): boolean {
  const v = value.trim();
  if (v === '' || REFERENCE_VALUE.test(v)) return false;
  if (/sasl\.jaas\.config$/i.test(key)) {
    // JAAS quotes option values (password="..."), but unquoted values are accepted by some parsers.
    const m = /password\s*=\s*(?:"([^"]*)"|([^\s;"]+))/i.exec(v);
    const secret = m ? (m[1] ?? m[2] ?? '') : '';
    return secret !== '' && !REFERENCE_VALUE.test(secret);
  }
  return true;
}

function scanMap(
  lp: LoadedPipeline,
  conf: unknown,
  base: (string | number)[],
  where: string,
  out: Finding[],
): void {
  for (const e of flattenWithPointers(conf, base)) {
    if (!SECRET_KEY.test(e.key) || REFERENCE_KEY.test(e.key)) continue;
    if (!isLiteralSecret(e.key, e.value)) continue;
    out.push(
      findingAt(
        plaintextSecret,
        lp,
        e.pointer,
        `${where} ${e.key} holds a literal credential: it is committed to git and rendered into the manifests in clear text`,
        'reference it instead: mount a Kubernetes Secret (podTemplate env/volume) and use ${ENV_VAR} or a file path',
      ),
    );
  }
}

function scanArgs(
  lp: LoadedPipeline,
  args: readonly string[] | undefined,
  base: (string | number)[],
  out: Finding[],
): void {
  (args ?? []).forEach((a, i) => {
    const eq = a.indexOf('=');
    const [flag, value, at] = eq > 0 ? [a.slice(0, eq), a.slice(eq + 1), i] : [a, args![i + 1], i + 1];
    if (!ARG_FLAG.test(flag) || value === undefined || !isLiteralSecret(flag, value)) return;
    out.push(
      findingAt(
        plaintextSecret,
        lp,
        toPointer([...base, at]),
        `job argument ${flag} is followed by a literal credential`,
        'pass the credential through an environment variable from a Kubernetes Secret',
      ),
    );
  });
}

/** Keys outside flinkConfiguration and connector properties whose values are credentials (env vars, annotations). */
const ENV_SECRET_KEY =
  /(password|passwd|secret|token|credential|access[-_]?key|account[-_]?key|private[-_]?key|api[-_]?key)/i;

/**
 * Every string of the spec as written (pod templates, env values, annotations, URLs of jars,
 * checks and connectors, args): credentials in URLs (userinfo, query parameters), well-known
 * token shapes, and env vars or annotations named like a credential with a literal value.
 */
function scanEverywhere(lp: LoadedPipeline, out: Finding[]): void {
  const reported = new Set(out.map((f) => f.path));
  for (const s of stringsOf(lp.raw)) {
    if (reported.has(s.pointer)) continue;
    let why = credentialIn(s.value);
    // Values in the configuration, properties and args are judged by their keys above.
    const inConfig = () =>
      /\/(flinkConfiguration|properties)(\/|$)/.test(s.pointer) || /\/job\/args\//.test(s.pointer);
    if (
      !why &&
      s.key !== undefined &&
      ENV_SECRET_KEY.test(s.key) &&
      !inConfig() &&
      !REFERENCE_KEY.test(s.key) &&
      !/^(name|secretName|key|secretKeyRef)$/.test(s.key) &&
      isLiteralSecret(s.key, s.value)
    ) {
      why = `a literal value for ${s.key}`;
    }
    if (!why) continue;
    reported.add(s.pointer);
    const where = s.pointer.startsWith('/spec/validation/')
      ? "; verify would also print it into the validation Job's args"
      : '';
    out.push(
      findingAt(
        plaintextSecret,
        lp,
        s.pointer,
        `${s.pointer} holds ${why}: it is committed to git and rendered into the manifests in clear text${where}`,
        'keep the credential in a Kubernetes Secret: mount it (podTemplate env valueFrom.secretKeyRef or a volume) and reference it (${ENV_VAR}, a file path)',
      ),
    );
  }
}

export const plaintextSecret: Rule = {
  id: 'plaintext-secret',
  severity: 'error',
  summary: 'A credential is written in clear text in the spec.',
  doc: 'Pipeline specs live in git and are rendered into committed manifests: a password, token, secret key or sasl.jaas.config with a literal password in flinkConfiguration (nested or dotted, e.g. fs.azure.account.key.<account>), job args or source/sink properties, a password or credential query parameter in any URL (jar URIs, validation URLs, connector endpoints), a well-known token shape (private keys, AWS, GitHub, Slack, Google keys, JWTs, Azure connection strings) in any field, or an env var or annotation named like a credential with a literal value is readable by everyone with access to the repository, forever (git history). Values that are references are fine: ${VAR}, $(VAR), file paths, secret store URIs, and keys that name a file or a secret rather than holding one (…file, …path, kubernetes.secrets). Move the value into a Kubernetes Secret, expose it to the pods (podTemplate env or volume) and reference it.',
  check: ({ pair }: RuleContext): Finding[] => {
    const lp = pair.head;
    if (!lp) return [];
    const p = lp.pipeline;
    const out: Finding[] = [];
    scanMap(
      lp,
      p.spec.template.flinkConfiguration,
      ['spec', 'template', 'flinkConfiguration'],
      'flinkConfiguration',
      out,
    );
    scanArgs(lp, p.spec.template.job?.args, ['spec', 'template', 'job', 'args'], out);
    for (const c of COLORS) {
      const col = p.spec.colors[c];
      if (!col) continue;
      scanMap(
        lp,
        col.flinkConfiguration,
        ['spec', 'colors', c, 'flinkConfiguration'],
        `colors.${c}.flinkConfiguration`,
        out,
      );
      scanArgs(lp, col.job?.args, ['spec', 'colors', c, 'job', 'args'], out);
    }
    p.spec.sources.forEach((s, i) =>
      scanMap(lp, s.properties, ['spec', 'sources', i, 'properties'], `source ${s.name} property`, out),
    );
    p.spec.sinks.forEach((s, i) =>
      scanMap(lp, s.properties, ['spec', 'sinks', i, 'properties'], `sink ${s.name} property`, out),
    );
    scanEverywhere(lp, out);
    return out;
  },
};
