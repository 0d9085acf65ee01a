package dev.shopbeam.pipelines.db;

import dev.shopbeam.pipelines.Tables;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The tables the {@code load} command upserts into PostgreSQL, and their DDL. */
public final class ServingTables {
  /** The DDL of every serving table (CREATE ... IF NOT EXISTS), in the schemas module. */
  public static final String DDL_RESOURCE = "sql/postgresql/serving_tables.sql";

  /** By name, in load order. Not clean_events (the raw material, not served) nor dead_letters. */
  public static final Map<String, ServingTable> ALL = all();

  private ServingTables() {}

  private static Map<String, ServingTable> all() {
    Map<String, ServingTable> m = new LinkedHashMap<>();
    for (String name : List.of(Tables.ITEM_STATS, Tables.CATEGORY_STATS, Tables.FUNNEL, Tables.HOT_ITEMS,
        Tables.USER_FEATURES, Tables.ITEM_FEATURES, Tables.ITEM_SIMILARITY, Tables.USER_RECOMMENDATIONS,
        Tables.ANOMALIES)) {
      m.put(name, new ServingTable(name, Tables.ALL.get(name)));
    }
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * The tables named in {@code --tables}: {@code all}, or a comma-separated list of names.
   *
   * @throws IllegalArgumentException naming an unknown table
   */
  public static List<ServingTable> parse(String tables) {
    if (tables == null || tables.isBlank() || tables.strip().equals("all")) {
      return new ArrayList<>(ALL.values());
    }
    List<ServingTable> out = new ArrayList<>();
    for (String name : tables.split(",")) {
      ServingTable t = ALL.get(name.strip());
      if (t == null) {
        throw new IllegalArgumentException("--tables: '" + name.strip() + "' is not a serving table; one of "
            + String.join(", ", ALL.keySet()) + " or all");
      }
      if (!out.contains(t)) {
        out.add(t);
      }
    }
    return out;
  }

  /** The DDL script's text. */
  public static String ddl() {
    try (InputStream in = ServingTables.class.getClassLoader().getResourceAsStream(DDL_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(DDL_RESOURCE + " is not on the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Creates the serving tables that do not exist yet, in the connection's schema (the first of its
   * search_path), in one transaction. Existing tables are left as they are.
   */
  public static void createIfAbsent(Connection c) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try (Statement s = c.createStatement()) {
      s.execute(ddl());
      c.commit();
    } catch (SQLException | RuntimeException e) {
      c.rollback();
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }
}
