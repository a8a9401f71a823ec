package dev.flinkcutover.gate.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every conformance vector (test/vectors/gate and $FLINK_CUTOVER_VECTORS) against the Java gate. */
class VectorsTest {
  static Stream<Path> vectors() {
    return Repo.vectorFiles().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("vectors")
  void theJavaGateMakesEveryExpectedDecision(Path file) throws Exception {
    Map<String, Object> v = Json.parseObject(Repo.read(file));
    assertEquals(Collections2.list(), VectorRunner.run(v, null), file.toString());
  }

  @Test
  void thereAreVectors() {
    assertTrue(Repo.vectorFiles().size() >= 10, "vectors found: " + Repo.vectorFiles());
  }

  /** The branch ids of lib/gate/gate.ts's GATE_BRANCHES. */
  static Set<String> referenceBranches() {
    String ts = Repo.read(Repo.root().resolve("lib/gate/gate.ts"));
    Matcher block = Pattern.compile("GATE_BRANCHES = \\[(.*?)\\] as const", Pattern.DOTALL).matcher(ts);
    assertTrue(block.find(), "GATE_BRANCHES in lib/gate/gate.ts");
    Set<String> out = new LinkedHashSet<>();
    Matcher m = Pattern.compile("'([^']+)'").matcher(block.group(1));
    while (m.find()) out.add(m.group(1));
    return out;
  }

  @Test
  void theVectorsFireEveryBranchOfTheReferenceInTheJavaGateToo() throws Exception {
    Set<String> fired = new TreeSet<>();
    for (Path f : Repo.vectorFiles()) VectorRunner.run(Json.parseObject(Repo.read(f)), fired::add);
    Set<String> reference = new TreeSet<>(referenceBranches());
    assertFalse(reference.isEmpty());
    assertEquals(reference, fired, "branches fired by the vectors in the Java gate vs GATE_BRANCHES of the reference");
  }

  @Test
  void aWrongExpectationFails() throws Exception {
    Map<String, String> flip = Map.of("emit", "drop", "drop", "emit", "hold", "emit", "wait", "emit", "tag:blue", "tag:green", "tag:green", "tag:blue");
    int broken = 0;
    for (Path f : Repo.vectorFiles()) {
      Map<String, Object> v = Json.parseObject(Repo.read(f));
      @SuppressWarnings("unchecked")
      List<Object> steps = (List<Object>) v.get("steps");
      for (Object o : steps) {
        @SuppressWarnings("unchecked")
        Map<String, Object> s = (Map<String, Object>) o;
        if ("record".equals(s.get("do"))) {
          s.put("expect", flip.get((String) s.get("expect")));
          assertFalse(VectorRunner.run(v, null).isEmpty(), f.toString());
          broken++;
          break;
        }
      }
    }
    assertTrue(broken > 0);
  }

  /** Small helper so assertion messages show the mismatches. */
  static final class Collections2 {
    static List<String> list(String... s) {
      return new ArrayList<>(Arrays.asList(s));
    }
  }
}
