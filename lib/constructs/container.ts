import { Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';

/**
 * The restricted security context of the flink-cutover containers (the controller and the verify
 * Jobs): non-root user 10001, read-only root filesystem, no privilege escalation, every capability
 * dropped, the runtime's default seccomp profile (Pod Security "restricted").
 */
export const RESTRICTED_CONTAINER: kplus.ContainerSecurityContextProps = {
  ensureNonRoot: true,
  user: 10001,
  group: 10001,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: [kplus.Capability.ALL] },
  seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
};

/** Requested resources of a flink-cutover container (Kubernetes quantities). */
export interface ContainerQuantities {
  readonly cpuRequest?: string;
  readonly cpuLimit?: string;
  readonly memoryRequest?: string;
}

/**
 * A container's resources: CPU request and limit (default 50m and 500m), memory request (default
 * 128Mi) and the given memory limit. `owner` names the construct in errors about a bad quantity.
 */
export function containerResources(
  owner: string,
  r: ContainerQuantities,
  memoryLimit: Size,
): kplus.ContainerResources {
  return {
    cpu: {
      request: kplus.Cpu.millis(millis(owner, r.cpuRequest ?? '50m')),
      limit: kplus.Cpu.millis(millis(owner, r.cpuLimit ?? '500m')),
    },
    memory: { request: mebibytes(owner, r.memoryRequest ?? '128Mi'), limit: memoryLimit },
  };
}

/** A CPU quantity (`500m` or `1`) in millicores. */
export function millis(owner: string, cpu: string): number {
  const m = /^([0-9]+)m$/.exec(cpu);
  if (m) return Number(m[1]);
  const n = Number(cpu);
  if (!Number.isFinite(n) || n <= 0)
    throw new Error(`${owner}: CPU ${JSON.stringify(cpu)} is not a quantity like 500m or 1`);
  return Math.round(n * 1000);
}

/** A memory quantity (`256Mi` or `1Gi`) as a Size. */
export function mebibytes(owner: string, mem: string): Size {
  const m = /^([0-9]+)(Mi|Gi)$/.exec(mem);
  if (!m) throw new Error(`${owner}: memory ${JSON.stringify(mem)} is not a quantity like 256Mi or 1Gi`);
  return m[2] === 'Gi' ? Size.gibibytes(Number(m[1])) : Size.mebibytes(Number(m[1]));
}
