package dev.shopbeam.pipelines;

import org.apache.beam.sdk.options.Default;
import org.apache.beam.sdk.options.Description;
import org.apache.beam.sdk.options.PipelineOptions;
import org.apache.beam.sdk.options.Validation;

/**
 * Options of the {@code load} command (a batch output into the serving database). There is deliberately
 * no password option: see {@link dev.shopbeam.pipelines.db.DbCredentials}.
 */
public interface LoadOptions extends PipelineOptions {

  @Description("A local batch output directory (as batch --output writes it); each table's format (parquet, avro, json) is found from its files.")
  @Validation.Required
  String getInput();

  void setInput(String value);

  @Description("PostgreSQL JDBC URL, without user or password, e.g. jdbc:postgresql://localhost:5432/shopbeam"
      + " (add ?currentSchema=NAME for another schema than public).")
  @Validation.Required
  String getJdbcUrl();

  void setJdbcUrl(String value);

  @Description("A properties file with user= and password=, readable by its owner only. Without it: the file"
      + " in $SHOPBEAM_DB_CREDENTIALS_FILE, else $SHOPBEAM_DB_USER and $SHOPBEAM_DB_PASSWORD, else $PGUSER and $PGPASSWORD.")
  @Default.String("")
  String getDbCredentialsFile();

  void setDbCredentialsFile(String value);

  @Description("Tables to load: all (those the output has), or a comma-separated list (each must be in the output).")
  @Default.String("all")
  String getTables();

  void setTables(String value);

  @Description("Rows per JDBC batch and transaction.")
  @Default.Long(1000)
  long getJdbcBatchSize();

  void setJdbcBatchSize(long value);
}
