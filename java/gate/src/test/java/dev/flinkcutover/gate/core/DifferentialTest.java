package dev.flinkcutover.gate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Replays the TypeScript reference's answers to seeded random event sequences
 * (test/gate/differential-gen.ts; .ci/run writes build/gate-differential.jsonl before the Java
 * build) through the Java gate: every decision, release, metric and contract verdict must match.
 */
class DifferentialTest {
  static Path file() {
    String env = System.getenv("FLINK_CUTOVER_DIFFERENTIAL");
    return env != null && !env.isEmpty() ? Paths.get(env) : Repo.root().resolve("build/gate-differential.jsonl");
  }

  @Test
  void theJavaGateAnswersLikeTheReferenceOnEverySequence() throws Exception {
    Path f = file();
    if (!Files.exists(f)) {
      String why = "no differential file " + f + ": write it with `npx tsx test/gate/differential-gen.ts " + f + "` (.ci/run does)";
      if ("1".equals(System.getenv("REFERENCE_REQUIRED"))) fail(why);
      Assumptions.abort(why);
    }
    int sequences = 0;
    int steps = 0;
    int records = 0;
    List<String> diffs = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isEmpty()) continue;
        Map<String, Object> v = Json.parseObject(line);
        List<String> d = VectorRunner.run(v, null);
        if (!d.isEmpty() && diffs.size() < 20) diffs.add(v.get("name") + ": " + d.get(0));
        if (!d.isEmpty() && diffs.size() >= 20) break;
        sequences++;
        for (Object s : (List<?>) v.get("steps")) {
          steps++;
          if ("record".equals(((Map<?, ?>) s).get("do"))) records++;
        }
      }
    }
    assertEquals(List.of(), diffs, "differences from the reference");
    System.out.println("differential: " + sequences + " sequences, " + steps + " steps, " + records + " records, 0 differences");
    assertTrue(sequences >= 10000, "the differential file holds " + sequences + " sequences; at least 10000 expected");
  }
}
