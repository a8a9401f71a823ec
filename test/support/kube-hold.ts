/**
 * Starts a kube-apiserver (no CRDs), prints `{"url","dir","processGroups"}` as one line and waits
 * forever: the cleanup test kills this process with SIGKILL and checks nothing is left behind.
 * Run as `node --import tsx test/support/kube-hold.ts`.
 */
import { startKubeApiServer } from './kube-apiserver.js';

const kube = await startKubeApiServer({ crds: false });
process.stdout.write(
  JSON.stringify({ url: kube.url, dir: kube.dir, processGroups: kube.processGroups }) + '\n',
);
setInterval(() => {}, 1 << 30);
