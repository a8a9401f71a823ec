package dev.flinkcutover.gate.core;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Files of the repository the Java build lives in (test/vectors/gate, lib/gate, ...). */
public final class Repo {
  private Repo() {}

  /** The repository root: the first parent of the working directory that holds test/vectors/gate. */
  public static Path root() {
    Path p = Paths.get("").toAbsolutePath();
    while (p != null) {
      if (Files.isDirectory(p.resolve("test/vectors/gate")) && Files.isDirectory(p.resolve("java"))) return p;
      p = p.getParent();
    }
    throw new IllegalStateException("no repository root (with test/vectors/gate) above " + Paths.get("").toAbsolutePath());
  }

  public static String read(Path p) {
    try {
      return new String(Files.readAllBytes(p), java.nio.charset.StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The vector files: test/vectors/gate/*.json, plus every *.json of the folder named by FLINK_CUTOVER_VECTORS. */
  public static List<Path> vectorFiles() {
    List<Path> out = new ArrayList<>(jsonFiles(root().resolve("test/vectors/gate")));
    String extra = System.getenv("FLINK_CUTOVER_VECTORS");
    if (extra != null && !extra.isEmpty()) {
      Path dir = Paths.get(extra).toAbsolutePath();
      if (!Files.isDirectory(dir)) throw new IllegalStateException("FLINK_CUTOVER_VECTORS=" + extra + " is not a folder");
      out.addAll(jsonFiles(dir));
    }
    return out;
  }

  private static List<Path> jsonFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(f -> f.getFileName().toString().endsWith(".json") && !f.getFileName().toString().equals("vector.schema.json")).sorted().collect(Collectors.toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
