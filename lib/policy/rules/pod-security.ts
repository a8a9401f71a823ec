import { escapePointerSegment } from '../../spec/diagnostics.js';
import type { LoadedPipeline } from '../../spec/load.js';
import { findingAt } from '../findings.js';
import type { Finding, Rule, RuleContext } from '../types.js';

/** What a PodSecurity "restricted" review objects to, for one key and value of a pod template. */
function problem(key: string, value: unknown, pointer: string): string | undefined {
  if (key === 'privileged' && value === true) return 'runs a privileged container (full access to the node)';
  if (key === 'allowPrivilegeEscalation' && value === true) return 'allows privilege escalation';
  if ((key === 'runAsUser' || key === 'runAsGroup') && value === 0) return `runs as root (${key}: 0)`;
  if (key === 'runAsNonRoot' && value === false) return 'allows running as root (runAsNonRoot: false)';
  if ((key === 'hostNetwork' || key === 'hostPID' || key === 'hostIPC') && value === true)
    return `shares the node's namespaces (${key}: true)`;
  if (
    key === 'hostPath' &&
    value !== null &&
    typeof value === 'object' &&
    /\/volumes\/\d+\/hostPath$/.test(pointer)
  )
    return 'mounts a hostPath volume (a folder of the node)';
  if (key === 'hostPort' && typeof value === 'number' && value !== 0) return `binds a host port (${value})`;
  if (key === 'add' && Array.isArray(value) && /\/capabilities\/add$/.test(pointer)) {
    const extra = value.filter((c) => typeof c === 'string' && c !== 'NET_BIND_SERVICE');
    if (extra.length > 0) return `adds capabilities ${extra.join(', ')}`;
  }
  if (key === 'type' && value === 'Unconfined' && /\/(seccompProfile|appArmorProfile)\/type$/.test(pointer))
    return 'disables seccomp/AppArmor confinement (Unconfined)';
  return undefined;
}

/** Every key/value inside a podTemplate of the spec as written, with its pointer. */
function podTemplateEntries(raw: unknown): { key: string; value: unknown; pointer: string }[] {
  const out: { key: string; value: unknown; pointer: string }[] = [];
  const stack: [unknown, string, boolean][] = [[raw, '', false]];
  while (stack.length > 0) {
    const [v, p, inPod] = stack.pop()!;
    if (Array.isArray(v)) v.forEach((x, i) => stack.push([x, `${p}/${i}`, inPod]));
    else if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const q = `${p}/${escapePointerSegment(k)}`;
        if (inPod) out.push({ key: k, value: x, pointer: q });
        stack.push([x, q, inPod || k === 'podTemplate']);
      }
    }
  }
  return out.sort((a, b) => (a.pointer < b.pointer ? -1 : 1));
}

function serviceAccountSet(lp: LoadedPipeline): boolean {
  const p = lp.pipeline;
  return (
    p.spec.template.serviceAccount !== undefined ||
    Object.values(p.spec.colors).some(
      (c) => (c as { serviceAccount?: string } | undefined)?.serviceAccount !== undefined,
    )
  );
}

export const podSecurity: Rule = {
  id: 'pod-security',
  severity: 'warning',
  summary:
    'A pod template asks for more than a PodSecurity "restricted" namespace allows, or no service account is named.',
  doc: 'The colors\' pods run with what their pod templates ask for. Privileged containers, running as root (runAsUser: 0, runAsNonRoot: false), privilege escalation, added capabilities, hostNetwork/hostPID/hostIPC, host ports, hostPath volumes and Unconfined seccomp profiles give a job, or anything that takes it over, the node. These are warnings; set spec.policy.podSecurity: enforce to refuse them, as a PodSecurity "restricted" namespace would. Without template.serviceAccount the job runs as the namespace\'s default service account, which other workloads share and which the cutover RBAC would then have to be bound to: name a dedicated account.',
  check: ({ pair }: RuleContext): Finding[] => {
    const lp = pair.head;
    if (!lp) return [];
    const enforce = (lp.pipeline.spec.policy as { podSecurity?: string }).podSecurity === 'enforce';
    const out: Finding[] = [];
    for (const e of podTemplateEntries(lp.raw)) {
      const why = problem(e.key, e.value, e.pointer);
      if (why) {
        out.push(
          findingAt(
            podSecurity,
            lp,
            e.pointer,
            `the pod template ${why}: a PodSecurity "restricted" review refuses it`,
            enforce
              ? 'remove it (spec.policy.podSecurity is enforce)'
              : 'remove it, or keep it knowingly (spec.policy.podSecurity: enforce turns this into an error)',
            enforce ? 'error' : 'warning',
          ),
        );
      }
    }
    if (!serviceAccountSet(lp)) {
      out.push(
        findingAt(
          podSecurity,
          lp,
          '/spec/template',
          'no serviceAccount: the job\'s pods run as the namespace\'s "default" service account, shared with every other workload there',
          'set template.serviceAccount to an account of its own (e.g. flink)',
          'warning',
        ),
      );
    }
    return out;
  },
};
