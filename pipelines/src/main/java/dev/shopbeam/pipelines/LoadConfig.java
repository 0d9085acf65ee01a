package dev.shopbeam.pipelines;

import dev.shopbeam.pipelines.db.DbCredentials;
import dev.shopbeam.pipelines.db.JdbcTarget;
import dev.shopbeam.pipelines.db.ServingTable;
import dev.shopbeam.pipelines.db.ServingTables;
import dev.shopbeam.pipelines.io.OutputFormat;
import dev.shopbeam.pipelines.io.ReadTables;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The checked settings of a {@code load} run: what to read, from which files, and where to write. */
public final class LoadConfig {
  /** A table to load: its files in the output, and their format. */
  public static final class TableFiles {
    private final ServingTable table;
    private final OutputFormat format;
    private final List<Path> files;

    TableFiles(ServingTable table, OutputFormat format, List<Path> files) {
      this.table = table;
      this.format = format;
      this.files = List.copyOf(files);
    }

    public ServingTable table() {
      return table;
    }

    public OutputFormat format() {
      return format;
    }

    public List<Path> files() {
      return files;
    }
  }

  private final Path input;
  private final JdbcTarget target;
  private final List<TableFiles> tables;
  private final List<String> absent;
  private final long batchSize;

  private LoadConfig(Path input, JdbcTarget target, List<TableFiles> tables, List<String> absent, long batchSize) {
    this.input = input;
    this.target = target;
    this.tables = Collections.unmodifiableList(tables);
    this.absent = Collections.unmodifiableList(absent);
    this.batchSize = batchSize;
  }

  /**
   * @throws IllegalArgumentException naming the option at fault
   */
  public static LoadConfig fromOptions(LoadOptions o, Map<String, String> env) {
    Path input = Path.of(o.getInput());
    if (!Files.isDirectory(input)) {
      throw new IllegalArgumentException("--input: " + input + " is not a directory (a batch output)");
    }
    if (o.getJdbcBatchSize() < 1) {
      throw new IllegalArgumentException("--jdbcBatchSize must be at least 1");
    }
    boolean all = o.getTables() == null || o.getTables().isBlank() || o.getTables().strip().equals("all");
    List<TableFiles> tables = new ArrayList<>();
    List<String> absent = new ArrayList<>();
    for (ServingTable t : ServingTables.parse(o.getTables())) {
      TableFiles f = find(input, t);
      if (f != null) {
        tables.add(f);
      } else if (all) {
        absent.add(t.name());
      } else {
        throw new IllegalArgumentException("--tables: " + input + " has no " + t.name() + " table");
      }
    }
    if (tables.isEmpty()) {
      throw new IllegalArgumentException("--input: " + input + " holds none of the serving tables ("
          + String.join(", ", ServingTables.ALL.keySet()) + ")");
    }
    JdbcTarget target = JdbcTarget.of(o.getJdbcUrl(), DbCredentials.resolve(o.getDbCredentialsFile(), env));
    return new LoadConfig(input, target, tables, absent, o.getJdbcBatchSize());
  }

  /** The table's part files and their format; null if the output has no such table. */
  private static TableFiles find(Path input, ServingTable t) {
    Map<OutputFormat, List<Path>> byFormat = new LinkedHashMap<>();
    try {
      for (OutputFormat f : OutputFormat.values()) {
        List<Path> files = ReadTables.partFiles(input, t.name(), f);
        if (!files.isEmpty()) {
          byFormat.put(f, files);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    if (byFormat.size() > 1) {
      throw new IllegalArgumentException("--input: " + input.resolve(t.name()) + " holds files of several formats "
          + byFormat.keySet() + "; which run's are they?");
    }
    return byFormat.isEmpty() ? null
        : new TableFiles(t, byFormat.keySet().iterator().next(), byFormat.values().iterator().next());
  }

  public Path input() {
    return input;
  }

  public JdbcTarget target() {
    return target;
  }

  public List<TableFiles> tables() {
    return tables;
  }

  /** Serving tables the output does not have (only when loading all). */
  public List<String> absent() {
    return absent;
  }

  public long batchSize() {
    return batchSize;
  }
}
