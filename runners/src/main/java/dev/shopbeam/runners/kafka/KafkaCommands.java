package dev.shopbeam.runners.kafka;

import dev.shopbeam.transforms.parse.InputFormat;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;

/** The {@code kafka-local}, {@code replay} and {@code consume} commands of the bundled jar. */
public final class KafkaCommands {
  public static final int EXIT_OK = 0;
  public static final int EXIT_USAGE = 2;

  private KafkaCommands() {}

  /**
   * {@code kafka-local [--port=9092] [--dataDir=kafka-local-data] [--topics=a,b] [--partitions=1]}: starts
   * the broker, creates the topics, prints where it listens, and runs until interrupted (Ctrl-C).
   */
  public static int kafkaLocal(String[] args, PrintStream out, PrintStream err) throws Exception {
    Map<String, String> o = options(args, Set.of("port", "dataDir", "topics", "partitions"), err);
    if (o == null) {
      err.println("usage: kafka-local [--port=9092] [--dataDir=kafka-local-data] [--topics=t1,t2] [--partitions=1]");
      return EXIT_USAGE;
    }
    int port = Integer.parseInt(o.getOrDefault("port", "9092"));
    Path dataDir = Paths.get(o.getOrDefault("dataDir", "kafka-local-data"));
    LocalKafka kafka = LocalKafka.start(port, dataDir);
    if (o.containsKey("topics")) {
      kafka.createTopics(Integer.parseInt(o.getOrDefault("partitions", "1")), o.get("topics").split(","));
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      kafka.close();
      stopped.countDown();
    }));
    out.println("Kafka (KRaft, single node) listening on " + kafka.bootstrapServers()
        + ", data in " + dataDir.toAbsolutePath() + ". Ctrl-C stops it.");
    out.flush();
    stopped.await();
    return EXIT_OK;
  }

  /**
   * {@code replay --bootstrapServers=HOST:PORT --topic=T --input=FILE --format=F [--rate=EVENTS_PER_S]}.
   */
  public static int replay(String[] args, PrintStream out, PrintStream err) throws Exception {
    Map<String, String> o = options(args, Set.of("bootstrapServers", "topic", "input", "format", "rate"), err);
    if (o == null || !o.keySet().containsAll(Set.of("bootstrapServers", "topic", "input", "format"))) {
      err.println("usage: replay --bootstrapServers=HOST:PORT --topic=TOPIC --input=FILE "
          + "--format=online-retail|userbehavior|json [--rate=EVENTS_PER_SECOND]");
      return EXIT_USAGE;
    }
    InputFormat format;
    try {
      format = InputFormat.fromName(o.get("format"));
    } catch (IllegalArgumentException e) {
      err.println("error: --format: " + e.getMessage());
      return EXIT_USAGE;
    }
    double rate;
    try {
      rate = Double.parseDouble(o.getOrDefault("rate", "0"));
    } catch (NumberFormatException e) {
      err.println("error: --rate='" + o.get("rate") + "' is not a number of records per second");
      return EXIT_USAGE;
    }
    long sent = ReplayToKafka.replay(o.get("bootstrapServers"), o.get("topic"), Paths.get(o.get("input")), format, rate);
    out.println("replayed " + sent + " records of " + o.get("input") + " to " + o.get("topic")
        + " at " + o.get("bootstrapServers") + " in event-time order");
    return EXIT_OK;
  }

  /**
   * {@code consume --bootstrapServers=HOST:PORT --topic=T [--fromBeginning=true] [--idleSeconds=0]}: prints
   * each message as {@code key<TAB>value}, like {@code kafka-console-consumer.sh --property print.key=true},
   * for machines without Kafka's own tools. Runs until interrupted, or until no message has come for
   * {@code idleSeconds} (when above 0).
   */
  public static int consume(String[] args, PrintStream out, PrintStream err) {
    Map<String, String> o = options(args, Set.of("bootstrapServers", "topic", "fromBeginning", "idleSeconds"), err);
    if (o == null || !o.keySet().containsAll(Set.of("bootstrapServers", "topic"))) {
      err.println("usage: consume --bootstrapServers=HOST:PORT --topic=TOPIC [--fromBeginning=true] [--idleSeconds=0]");
      return EXIT_USAGE;
    }
    long idleSeconds;
    try {
      idleSeconds = Long.parseLong(o.getOrDefault("idleSeconds", "0"));
    } catch (NumberFormatException e) {
      err.println("error: --idleSeconds='" + o.get("idleSeconds") + "' is not a whole number of seconds");
      return EXIT_USAGE;
    }
    java.util.Properties props = new java.util.Properties();
    props.put("bootstrap.servers", o.get("bootstrapServers"));
    props.put("group.id", "shopbeam-consume-" + java.util.UUID.randomUUID());
    props.put("enable.auto.commit", "false");
    props.put("auto.offset.reset", Boolean.parseBoolean(o.getOrDefault("fromBeginning", "true")) ? "earliest" : "latest");
    org.apache.kafka.common.serialization.StringDeserializer text = new org.apache.kafka.common.serialization.StringDeserializer();
    try (org.apache.kafka.clients.consumer.KafkaConsumer<String, String> consumer =
        new org.apache.kafka.clients.consumer.KafkaConsumer<>(props, text, text)) {
      consumer.subscribe(java.util.List.of(o.get("topic")));
      long lastMessage = System.currentTimeMillis();
      while (idleSeconds <= 0 || System.currentTimeMillis() - lastMessage < idleSeconds * 1000) {
        for (org.apache.kafka.clients.consumer.ConsumerRecord<String, String> r : consumer.poll(java.time.Duration.ofMillis(500))) {
          out.println(r.key() + "\t" + r.value());
          lastMessage = System.currentTimeMillis();
        }
        out.flush();
      }
    }
    return EXIT_OK;
  }

  /** --name=value pairs; null (after saying why) on an unknown or malformed one. */
  static Map<String, String> options(String[] args, Set<String> known, PrintStream err) {
    Map<String, String> o = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      String name = a.startsWith("--") && eq > 2 ? a.substring(2, eq) : null;
      if (name == null || !known.contains(name)) {
        err.println("error: unknown option '" + a + "'; accepted: --" + String.join(", --", known));
        return null;
      }
      o.put(name, a.substring(eq + 1));
    }
    return o;
  }
}
