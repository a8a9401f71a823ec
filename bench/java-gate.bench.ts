/**
 * The Java gate's cost inside a real Flink job: the same job with and without the gate, records/s
 * side by side in one run (java/examples GateBenchmark). Needs the Java build
 * (mvn -B -f java/pom.xml verify or package); without it this benchmark says so and measures nothing.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const target = join(root, 'java', 'examples', 'target');
const jar = join(target, 'flink-cutover-example.jar');
const classpath = join(target, 'classpath.txt');
if (!existsSync(jar) || !existsSync(classpath)) {
  process.stderr.write(
    `java-gate: skipped: ${jar} or classpath.txt is missing (build with: mvn -B -f java/pom.xml package -DskipTests)\n`,
  );
} else {
  const opens = [
    'java.lang',
    'java.util',
    'java.lang.reflect',
    'java.io',
    'java.net',
    'java.nio',
    'sun.nio.ch',
    'java.util.concurrent',
    'java.time',
  ].map((p) => `--add-opens=java.base/${p}=ALL-UNNAMED`);
  const records = process.env.JAVA_GATE_BENCH_RECORDS ?? '3000000';
  const out = execFileSync(
    'java',
    [
      '-Xmx768m',
      ...opens,
      '-Dlog4j.configurationFile=classpath:log4j2-launcher.properties',
      '-cp',
      `${jar}:${readFileSync(classpath, 'utf8').trim()}`,
      'dev.flinkcutover.examples.GateBenchmark',
      records,
      '5',
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  for (const line of out.split('\n')) if (line.startsWith('{')) process.stdout.write(line + '\n');
}
