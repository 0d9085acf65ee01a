package dev.shopbeam.pipelines.db;

import java.io.IOException;
import java.io.Reader;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * A database user and password. They never come from a command-line flag (process lists and shell
 * histories show those, and Beam logs its pipeline options): from a properties file
 * ({@code --dbCredentialsFile} or {@code $SHOPBEAM_DB_CREDENTIALS_FILE}, {@code user=} and
 * {@code password=}, readable by its owner only), else from {@code $SHOPBEAM_DB_USER} and
 * {@code $SHOPBEAM_DB_PASSWORD}, else from libpq's {@code $PGUSER} and {@code $PGPASSWORD}. The first
 * source that names a user wins. {@link #toString()} never shows the password.
 */
public final class DbCredentials implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String FILE_ENV = "SHOPBEAM_DB_CREDENTIALS_FILE";

  private final String user;
  private final String password; // null: none (e.g. trust authentication)
  private final String source;

  DbCredentials(String user, String password, String source) {
    this.user = user;
    this.password = password;
    this.source = source;
  }

  public String user() {
    return user;
  }

  /** The password, or null if none was given. */
  public String password() {
    return password;
  }

  /** Where they came from, for messages: a file's path or the variables' names. */
  public String source() {
    return source;
  }

  /**
   * The credentials from {@code credentialsFile} (may be null) or the environment.
   *
   * @throws IllegalArgumentException if none are found, the file cannot be read, lacks a user, or others
   *     than its owner may read it
   */
  public static DbCredentials resolve(String credentialsFile, Map<String, String> env) {
    String file = credentialsFile != null && !credentialsFile.isBlank() ? credentialsFile : env.get(FILE_ENV);
    if (file != null && !file.isBlank()) {
      return fromFile(Path.of(file));
    }
    String user = env.get("SHOPBEAM_DB_USER");
    if (user != null && !user.isEmpty()) {
      return new DbCredentials(user, env.get("SHOPBEAM_DB_PASSWORD"), "$SHOPBEAM_DB_USER/$SHOPBEAM_DB_PASSWORD");
    }
    user = env.get("PGUSER");
    if (user != null && !user.isEmpty()) {
      return new DbCredentials(user, env.get("PGPASSWORD"), "$PGUSER/$PGPASSWORD");
    }
    throw new IllegalArgumentException("no database credentials: pass --dbCredentialsFile=PATH (a file with"
        + " user= and password=, mode 600), or set SHOPBEAM_DB_USER and SHOPBEAM_DB_PASSWORD (or PGUSER and"
        + " PGPASSWORD) in the environment");
  }

  static DbCredentials fromFile(Path file) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("--dbCredentialsFile: cannot read " + file);
    }
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      for (PosixFilePermission p : perms) {
        if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
          throw new IllegalArgumentException("--dbCredentialsFile: " + file
              + " may be read by others than its owner; make it private (chmod 600 " + file + ")");
        }
      }
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: its own access control applies.
    } catch (IOException e) {
      throw new IllegalArgumentException("--dbCredentialsFile: cannot read " + file + ": " + e.getMessage());
    }
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      p.load(r);
    } catch (IOException e) {
      throw new IllegalArgumentException("--dbCredentialsFile: cannot read " + file + ": " + e.getMessage());
    }
    String user = p.getProperty("user");
    if (user == null || user.isBlank()) {
      throw new IllegalArgumentException("--dbCredentialsFile: " + file + " has no user= line");
    }
    return new DbCredentials(user.strip(), p.getProperty("password"), file.toString());
  }

  @Override
  public String toString() {
    return "user " + user + (password == null ? ", no password" : ", password ***") + " (from " + source + ")";
  }
}
