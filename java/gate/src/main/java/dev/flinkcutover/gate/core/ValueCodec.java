package dev.flinkcutover.gate.core;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** Writes and reads held record values in a snapshot (inside a job: the stream's Flink serializer). */
public interface ValueCodec<T> {
  void write(T value, DataOutputStream out) throws IOException;

  T read(DataInputStream in) throws IOException;
}
