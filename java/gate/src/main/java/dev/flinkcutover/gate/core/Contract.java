package dev.flinkcutover.gate.core;

import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ConfigMap contract (lib/gate/contract.ts, schemas/cutover-configmap.schema.json and
 * schemas/cutover-status.schema.json): ConfigMap data, a map of strings, into what a gate acts on,
 * with errors as data. A gate never acts on data the schema refuses.
 */
public final class Contract {
  private Contract() {}

  /** A parse result: a value, or the errors. */
  public static final class Parsed<V> {
    public final V value;
    public final List<ContractError> errors;

    private Parsed(V value, List<ContractError> errors) {
      this.value = value;
      this.errors = errors;
    }

    public boolean ok() {
      return errors.isEmpty();
    }

    /** The value, or IllegalArgumentException listing every error. */
    public V orThrow(String what) {
      if (!ok()) {
        StringBuilder b = new StringBuilder("invalid ").append(what).append(": ");
        for (int i = 0; i < errors.size(); i++) b.append(i > 0 ? "; " : "").append(errors.get(i));
        throw new IllegalArgumentException(b.toString());
      }
      return value;
    }
  }

  private static final Pattern PIPELINE = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern UNSIGNED16 = Pattern.compile("^(0|[1-9][0-9]{0,15})$");
  private static final Pattern SIGNED16 = Pattern.compile("^-?(0|[1-9][0-9]{0,15})$");
  private static final Pattern SIGNED19 = Pattern.compile("^-?(0|[1-9][0-9]{0,18})$");
  private static final Pattern HTTP = Pattern.compile("^https?://");
  private static final Pattern POSITIVE16 = Pattern.compile("^[1-9][0-9]{0,15}$");
  private static final String ENTRY = "[1-9][0-9]{0,15}:(blue|green)>(blue|green)@-?(0|[1-9][0-9]{0,15})";
  private static final Pattern HISTORY = Pattern.compile("^(" + ENTRY + ")(;" + ENTRY + ")*$");
  private static final Pattern HISTORY_ENTRY = Pattern.compile("^(\\d+):(blue|green)>(blue|green)@(-?\\d+)$");
  private static final long MAX_SAFE = 9007199254740991L;

  private static final Set<String> DESIRED_KEYS = new HashSet<>(Arrays.asList("pipeline", "active", "generation", "to", "watermark", "lateness", "gateMode", "blue.restUrl", "blue.gate", "green.restUrl", "green.gate"));
  private static final Set<String> STATUS_KEYS = new HashSet<>(Arrays.asList("generation", "phase", "active", "to", "watermark", "history", "reason", "armedAt", "completedAt", "updatedAt", "blue.watermark", "green.watermark"));

  private static String pointer(String key) {
    return key.isEmpty() ? "" : "/" + key.replace("~", "~0").replace("/", "~1");
  }

  private static String q(String v) {
    return Json.write(v);
  }

  private static final class Check {
    final Map<String, String> d;
    final List<ContractError> errors = new ArrayList<>();
    final Set<String> seen = new HashSet<>();

    Check(Map<String, String> d) {
      this.d = d;
    }

    void err(String key, String message, String fix) {
      if (seen.add(key + message)) errors.add(new ContractError(pointer(key), message, fix));
    }

    void known(Set<String> keys) {
      for (String k : d.keySet()) if (!keys.contains(k)) err(k, "unknown key \"" + k + "\"", "remove it; the contract allows only the keys in the schema");
    }

    void required(String... keys) {
      for (String k : keys) if (!d.containsKey(k)) err(k, "missing key \"" + k + "\"", "add " + k);
    }

    void pattern(String key, Pattern p) {
      String v = d.get(key);
      if (v != null && !p.matcher(v).find()) err(key, key + " is " + q(v) + ", which is not a decimal integer string", "write it like \"0\" or \"300000\" (epoch millis / millis as a quoted decimal)");
    }

    void oneOf(String key, String... allowed) {
      String v = d.get(key);
      if (v != null && !Arrays.asList(allowed).contains(v)) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < allowed.length; i++) b.append(i > 0 ? ", " : "").append(q(allowed[i]));
        err(key, key + " is " + q(v) + "; must be one of " + b, null);
      }
    }

    void absent(String key, String message, String fix) {
      if (d.containsKey(key)) err(key, message, fix);
    }

    void dateTime(String key) {
      String v = d.get(key);
      if (v == null) return;
      try {
        OffsetDateTime.parse(v.replace(' ', 'T').replace('t', 'T').replace('z', 'Z'));
      } catch (DateTimeParseException e) {
        err(key, key + " is " + q(v) + ", which is not a valid date-time", null);
      }
    }

    void url(String key) {
      String v = d.get(key);
      if (v == null) return;
      boolean uri;
      try {
        uri = new URI(v).getScheme() != null;
      } catch (URISyntaxException e) {
        uri = false;
      }
      if (!uri) err(key, key + " is " + q(v) + ", which is not a valid uri", null);
      if (!HTTP.matcher(v).find()) err(key, key + " is " + q(v) + ", which is not an http(s) URL", null);
    }

    long safeInt(String key) {
      long n = Long.parseLong(d.get(key));
      if (Math.abs(n) > MAX_SAFE) err(key, key + " " + q(d.get(key)) + " is beyond the exact integer range", null);
      return n;
    }
  }

  /** Parses {@code <name>-cutover} data into what a gate acts on. */
  public static Parsed<GateDesired> parseDesired(Map<String, String> data) {
    if (data == null) return new Parsed<>(null, Collections.singletonList(new ContractError("", "ConfigMap data must be a map of strings", null)));
    Check c = new Check(data);
    c.known(DESIRED_KEYS);
    c.required("pipeline", "active", "generation", "lateness", "gateMode");
    String pipeline = data.get("pipeline");
    if (pipeline != null && !PIPELINE.matcher(pipeline).find()) c.err("pipeline", "pipeline is " + q(pipeline) + ", which is not a valid pipeline name", "lowercase letters, digits and -, starting with a letter");
    c.oneOf("active", "blue", "green");
    c.oneOf("to", "blue", "green");
    c.pattern("generation", UNSIGNED16);
    c.pattern("watermark", SIGNED16);
    c.pattern("lateness", UNSIGNED16);
    c.oneOf("gateMode", "filter", "tag");
    for (String color : new String[] {"blue", "green"}) {
      c.url(color + ".restUrl");
      c.oneOf(color + ".gate", "true", "false");
      if (data.containsKey(color + ".restUrl") && !data.containsKey(color + ".gate")) c.err(color + ".gate", "\"" + color + ".restUrl\" needs \"" + color + ".gate\"", "give each color both <color>.restUrl and <color>.gate");
      if (data.containsKey(color + ".gate") && !data.containsKey(color + ".restUrl")) c.err(color + ".restUrl", "\"" + color + ".gate\" needs \"" + color + ".restUrl\"", "give each color both <color>.restUrl and <color>.gate");
    }
    if ("0".equals(data.get("generation")) || !data.containsKey("generation")) {
      c.absent("to", "generation is \"0\" (no cutover), so \"to\" must be absent", "remove to and watermark, or set generation > 0");
      c.absent("watermark", "generation is \"0\" (no cutover), so \"watermark\" must be absent", "remove to and watermark, or set generation > 0");
    } else {
      c.required("to", "watermark");
    }
    c.required("blue".equals(data.get("active")) ? "blue.restUrl" : "green.restUrl");
    String to = data.get("to");
    if (to != null && Color.parse(to) != null) {
      c.required(to + ".restUrl");
      if (to.equals(data.get("active"))) c.err("active", "active and to are both " + q(to) + "; a cutover goes to the other color", "set to to the standby color");
    }
    if (!c.errors.isEmpty()) return new Parsed<>(null, c.errors);
    long generation = c.safeInt("generation");
    long lateness = c.safeInt("lateness");
    Long watermark = generation > 0 ? c.safeInt("watermark") : null;
    if (!c.errors.isEmpty()) return new Parsed<>(null, c.errors);
    GateDesired d = new GateDesired(Color.parse(data.get("active")), generation, generation > 0 ? Color.parse(to) : null, watermark, lateness, GateMode.parse(data.get("gateMode")));
    return new Parsed<>(d, Collections.emptyList());
  }

  /** Parses {@code <name>-cutover-status} data into what a gate acts on. */
  public static Parsed<GateStatus> parseStatus(Map<String, String> data) {
    if (data == null) return new Parsed<>(null, Collections.singletonList(new ContractError("", "ConfigMap data must be a map of strings", null)));
    Check c = new Check(data);
    c.known(STATUS_KEYS);
    c.required("generation", "phase", "active", "to", "watermark", "updatedAt");
    String gen = data.get("generation");
    if (gen != null && !POSITIVE16.matcher(gen).find()) c.err("generation", "generation is " + q(gen) + ", which is not a decimal integer string > 0", "the controller writes a status only for a cutover (generation >= 1)");
    c.oneOf("phase", "Pending", "Armed", "Rejected", "Completed");
    c.oneOf("active", "blue", "green");
    c.oneOf("to", "blue", "green");
    String active = data.get("active");
    String to = data.get("to");
    if (Color.parse(active) != null && to != null && !to.equals(Color.parse(active).other().wire())) c.err("to", "to is " + q(to) + "; must be " + q(Color.parse(active).other().wire()) + " here", null);
    c.pattern("watermark", SIGNED16);
    String history = data.get("history");
    if (history != null && !HISTORY.matcher(history).find()) c.err("history", "history is " + q(history) + ", which is not a list of <generation>:<from>><to>@<W> entries", "separate entries with ;, e.g. 1:blue>green@1733054400000");
    c.dateTime("armedAt");
    c.dateTime("completedAt");
    c.dateTime("updatedAt");
    c.pattern("blue.watermark", SIGNED19);
    c.pattern("green.watermark", SIGNED19);
    String phase = data.get("phase");
    if ("Armed".equals(phase) || "Completed".equals(phase)) c.required("armedAt");
    if ("Completed".equals(phase)) c.required("completedAt");
    else c.absent("completedAt", "completedAt must be absent in phase " + q(String.valueOf(phase)), null);
    if ("Pending".equals(phase) || "Rejected".equals(phase)) c.absent("armedAt", "armedAt must be absent in phase " + q(phase), null);
    if (!c.errors.isEmpty()) return new Parsed<>(null, c.errors);
    long generation = c.safeInt("generation");
    long watermark = c.safeInt("watermark");
    for (String k : new String[] {"blue.watermark", "green.watermark"}) if (data.containsKey(k)) c.safeInt(k);
    List<DecidedGeneration> h = new ArrayList<>();
    if (history != null) {
      for (String part : history.split(";", -1)) {
        java.util.regex.Matcher m = HISTORY_ENTRY.matcher(part);
        if (!m.find()) continue;
        long g = Long.parseLong(m.group(1));
        long w = Long.parseLong(m.group(4));
        if (Math.abs(g) > MAX_SAFE || Math.abs(w) > MAX_SAFE) c.err("history", "history entry " + q(part) + " is beyond the exact integer range", null);
        else if (!h.isEmpty() && g <= h.get(h.size() - 1).generation) c.err("history", "history entry " + q(part) + " is not newer than the one before it", "list the generations oldest first");
        h.add(new DecidedGeneration(g, Color.parse(m.group(2)), Color.parse(m.group(3)), w));
      }
    }
    if (!c.errors.isEmpty()) return new Parsed<>(null, c.errors);
    return new Parsed<>(new GateStatus(generation, Phase.parse(phase), Color.parse(active), Color.parse(to), watermark, h), Collections.emptyList());
  }
}
