package dev.flinkcutover.gate.core;

/** One problem in ConfigMap data: {@code key} is the JSON pointer of the data key (e.g. {@code /watermark}). */
public final class ContractError {
  public final String key;
  public final String message;
  /** What to do; may be null. */
  public final String fix;

  public ContractError(String key, String message, String fix) {
    this.key = key;
    this.message = message;
    this.fix = fix;
  }

  @Override
  public String toString() {
    return (key.isEmpty() ? "(data)" : key) + ": " + message + (fix == null ? "" : " (" + fix + ")");
  }
}
