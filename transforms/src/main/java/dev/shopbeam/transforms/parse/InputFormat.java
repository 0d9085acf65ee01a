package dev.shopbeam.transforms.parse;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The input layouts ShopBeam parses, by the name users pass as {@code --format}. */
public enum InputFormat {
  /** UCI Online Retail CSV: {@code InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country}. */
  ONLINE_RETAIL("online-retail", "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"),
  /** Taobao UserBehavior CSV: {@code userId,itemId,categoryId,behavior,timestamp}, no header. */
  USERBEHAVIOR("userbehavior", null),
  /** One JSON object per record (a line of a file, or a Kafka record's value). */
  JSON("json", null),
  /** A plain interactions or ratings file, {@code user,item[,rating][,timestamp]}, header optional. */
  INTERACTIONS("interactions", null);

  private final String cliName;
  private final String header;

  InputFormat(String cliName, String header) {
    this.cliName = cliName;
    this.header = header;
  }

  public String cliName() {
    return cliName;
  }

  /**
   * Whether a file's first line is this layout's header rather than a record. Headers are not records:
   * sources skip them before counting what they read.
   */
  public boolean isHeader(String firstLine) {
    if (this == INTERACTIONS && firstLine != null) {
      return InteractionsParser.isHeader(firstLine);
    }
    if (header == null || firstLine == null) {
      return false;
    }
    String line = firstLine.startsWith("\uFEFF") ? firstLine.substring(1) : firstLine;
    // Some exports quote every field, the header's names included.
    return line.replace("\"", "").strip().equalsIgnoreCase(header);
  }

  public RecordParser newParser() {
    switch (this) {
      case ONLINE_RETAIL:
        return new OnlineRetailParser();
      case USERBEHAVIOR:
        return new UserBehaviorParser();
      case JSON:
        return new JsonEventParser();
      case INTERACTIONS:
        return new InteractionsParser();
      default:
        throw new IllegalStateException("no parser for " + this);
    }
  }

  public static InputFormat fromName(String name) {
    for (InputFormat f : values()) {
      if (f.cliName.equals(name.toLowerCase(Locale.ROOT)) || f.name().equalsIgnoreCase(name)) {
        return f;
      }
    }
    throw new IllegalArgumentException(
        "unknown format '" + name + "'; accepted: "
            + Arrays.stream(values()).map(InputFormat::cliName).collect(Collectors.joining(", ")));
  }
}
