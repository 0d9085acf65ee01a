package dev.shopbeam.runners;

import dev.shopbeam.pipelines.BatchPipeline;
import dev.shopbeam.pipelines.CompareOutputs;
import dev.shopbeam.pipelines.StreamingPipeline;
import dev.shopbeam.runners.kafka.KafkaCommands;
import java.io.PrintStream;
import java.util.Arrays;

/**
 * The bundled jar's command line: {@code java -jar shopbeam-bundled.jar COMMAND [--option=value ...]}.
 * Each command is also a main class of its own, for launchers that take a class name.
 */
public final class ShopBeam {
  private ShopBeam() {}

  public static void main(String[] args) throws Exception {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      usage(out);
      return args.length == 0 ? BatchPipeline.EXIT_USAGE : BatchPipeline.EXIT_OK;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    switch (args[0]) {
      case "batch":
        return BatchPipeline.run(rest, out, err);
      case "streaming":
        return StreamingPipeline.run(rest, out, err);
      case "evaluate":
        return dev.shopbeam.pipelines.EvaluatePipeline.run(rest, out, err);
      case "compare":
        return CompareOutputs.run(rest, out, err);
      case "load":
        return dev.shopbeam.pipelines.LoadPipeline.run(rest, out, err);
      case "templates":
        return dev.shopbeam.templates.TemplatesCommand.run(rest, out, err);
      case "bench":
        return dev.shopbeam.runners.bench.Bench.run(rest, out, err);
      case "kafka-local":
        return KafkaCommands.kafkaLocal(rest, out, err);
      case "replay":
        return KafkaCommands.replay(rest, out, err);
      case "consume":
        return KafkaCommands.consume(rest, out, err);
      case "report":
        return dev.shopbeam.runners.report.ReportCommand.run(rest, out, err);
      default:
        err.println("error: unknown command '" + args[0] + "'");
        usage(err);
        return BatchPipeline.EXIT_USAGE;
    }
  }

  private static void usage(PrintStream out) {
    out.println("usage: java -jar shopbeam-bundled.jar COMMAND [--option=value ...]");
    out.println();
    out.println("commands:");
    out.println("  batch   files in -> clean events, item/category stats, funnel, hot items, dead letters, _SUMMARY.json");
    out.println("          (main class dev.shopbeam.pipelines.BatchPipeline)");
    out.println("  streaming   Kafka in -> the same windowed tables and dead letters to Kafka topics");
    out.println("          (main class dev.shopbeam.pipelines.StreamingPipeline)");
    out.println("  evaluate --input=FILE --format=F --split=time --cutoff=DATE [--k=10]   recommendations vs most popular, offline");
    out.println("          (main class dev.shopbeam.pipelines.EvaluatePipeline)");
    out.println("  compare DIR_A DIR_B   compares two batch outputs table by table, row for row (any runner, any format)");
    out.println("  load --input=DIR --jdbcUrl=jdbc:postgresql://HOST:PORT/DB [--tables=...]   a batch output upserted into");
    out.println("          PostgreSQL (credentials: --dbCredentialsFile or SHOPBEAM_DB_USER/SHOPBEAM_DB_PASSWORD; main class dev.shopbeam.pipelines.LoadPipeline)");
    out.println("  report --input=BATCH_OUTPUT_DIR --output=FILE.html   one self-contained HTML page: headline numbers,");
    out.println("          revenue and events over time, funnel, top items and categories, anomalies, data quality");
    out.println("  templates list | describe NAME [--json] | validate|run NAME --param=value...   batch templates for orchestrators");
    out.println("  bench [--events=N | --input=FILE --format=F] [--pipelines=...] [--runner=R] [--repeats=N]   throughput, heap and");
    out.println("          output rows of our pipelines and of reference implementations (plain Java, naive Beam, Flink, Nexmark)");
    out.println("  kafka-local [--port=9092] [--dataDir=DIR] [--topics=a,b]   a real single-node Kafka broker (KRaft), in-process");
    out.println("  replay --bootstrapServers=H:P --topic=T --input=FILE --format=F [--rate=N]   a file to a topic, in event-time order");
    out.println("  consume --bootstrapServers=H:P --topic=T [--idleSeconds=N]   prints a topic's messages as key<TAB>value");
    out.println();
    out.println("COMMAND --help lists a command's options and their defaults.");
  }
}
