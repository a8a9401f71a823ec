/** Reads what `flink-cutover status` shows from the Kubernetes API (the desired and status maps). */
import type { KubeApi } from './kube.js';
import { statusNameOf } from './controller.js';
import type { StatusInput } from './status-view.js';

/** Every desired ConfigMap (optionally one pipeline) with its status map, sorted by namespace/name. */
export async function readStatusInputs(
  api: KubeApi,
  namespace: string | undefined,
  pipeline?: string,
): Promise<StatusInput[]> {
  const { items } = await api.listDesired(namespace);
  const chosen = items.filter(
    (cm) => !pipeline || cm.data.pipeline === pipeline || cm.name === `${pipeline}-cutover`,
  );
  chosen.sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  return Promise.all(
    chosen.map(async (cm) => {
      const status = await api.readConfigMap(cm.namespace, statusNameOf(cm.name));
      return { namespace: cm.namespace, desired: cm.data, status: status?.data ?? null };
    }),
  );
}
