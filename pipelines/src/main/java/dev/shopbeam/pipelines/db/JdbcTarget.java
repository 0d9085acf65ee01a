package dev.shopbeam.pipelines.db;

import java.io.Serializable;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;
import java.util.regex.Pattern;
import org.apache.beam.sdk.io.jdbc.JdbcIO;

/**
 * Where the serving tables go: a PostgreSQL JDBC URL without credentials, and the credentials apart.
 * Keeping them apart means the URL can be logged and shown as it is.
 */
public final class JdbcTarget implements Serializable {
  private static final long serialVersionUID = 1L;
  static final String DRIVER = "org.postgresql.Driver";
  // user= and password= as URL parameters (pgjdbc's syntax: ?user=...&password=...), or user:password@ in
  // the authority, which pgjdbc does not support but a user may still try.
  private static final Pattern CREDENTIALS_IN_URL =
      Pattern.compile("([?&;](user|password)=)|(//[^/?]*@)", Pattern.CASE_INSENSITIVE);

  private final String url;
  private final DbCredentials credentials;

  private JdbcTarget(String url, DbCredentials credentials) {
    this.url = url;
    this.credentials = credentials;
  }

  /**
   * @throws IllegalArgumentException if {@code url} is not a PostgreSQL JDBC URL or carries credentials
   */
  public static JdbcTarget of(String url, DbCredentials credentials) {
    if (url == null || !url.toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("--jdbcUrl must be a PostgreSQL JDBC URL, e.g."
          + " jdbc:postgresql://localhost:5432/shopbeam");
    }
    if (CREDENTIALS_IN_URL.matcher(url).find()) {
      // Refuse rather than strip: the URL is echoed in logs and process lists, and a password that was
      // once there has already been seen.
      throw new IllegalArgumentException("--jdbcUrl must not carry a user or password (URLs are logged);"
          + " use --dbCredentialsFile or SHOPBEAM_DB_USER/SHOPBEAM_DB_PASSWORD");
    }
    return new JdbcTarget(url, credentials);
  }

  /** The URL: free of credentials, so it may be logged. */
  public String url() {
    return url;
  }

  public DbCredentials credentials() {
    return credentials;
  }

  /** A plain connection, for the DDL and for checks. */
  public Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", credentials.user());
    if (credentials.password() != null) {
      p.setProperty("password", credentials.password());
    }
    p.setProperty("ApplicationName", "shopbeam");
    return DriverManager.getConnection(url, p);
  }

  /**
   * JdbcIO's pooled data source. Its display data (which runners log and show) holds the URL and the
   * user, never the password.
   */
  public JdbcIO.DataSourceConfiguration dataSource() {
    JdbcIO.DataSourceConfiguration c = JdbcIO.DataSourceConfiguration.create(DRIVER, url)
        .withUsername(credentials.user())
        .withConnectionProperties("ApplicationName=shopbeam-load");
    return credentials.password() == null ? c : c.withPassword(credentials.password());
  }

  @Override
  public String toString() {
    return url + " as " + credentials;
  }
}
