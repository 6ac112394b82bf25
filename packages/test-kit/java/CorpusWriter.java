/*
 * The golden corpus: records written into a real Kafka by Kafka's own Java producer, so that Tributary's read
 * path can be checked against bytes another client wrote, and a JSON manifest of exactly what was written.
 *
 * Run from source, no build step (Java 17 single-file launch; everything else is in the Kafka jar folder):
 *   java -cp '<kafka jars>/*' CorpusWriter.java write --bootstrap host:port --prefix p [--extra-topic name]...
 *   java -cp '<kafka jars>/*' CorpusWriter.java read  --bootstrap host:port --topic name [--topic name]...
 *
 * `write` creates one topic per scenario (and each --extra-topic, one partition, left empty for the console
 * producer), writes the scenarios and prints the manifest: per topic the records a read_committed reader must
 * see, the records of aborted transactions it must not see, and every batch as it lies in the log.
 * `read` prints what Kafka's own consumer sees in the given topics (read_committed), and their batches.
 * stdout carries exactly one JSON document; progress and client logs go to stderr. Exit status 1 on failure.
 *
 * Java 17's launcher takes a single source file, which is why the program is one file.
 */
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.MutableRecordBatch;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.AppInfoParser;

public final class CorpusWriter {
  static final String[] CODECS = {"none", "gzip", "snappy", "lz4", "zstd"};
  static final long OLD_TIMESTAMP = 1_000_000_000_000L; // 2001-09-09T01:46:40Z: readers must keep a producer's timestamp

  public static void main(String[] argv) {
    try {
      Map<String, List<String>> args = parseArgs(argv);
      String mode = argv.length > 0 ? argv[0] : "";
      String bootstrap = one(args, "bootstrap");
      String json = switch (mode) {
        case "write" -> write(bootstrap, one(args, "prefix"), args.getOrDefault("extra-topic", List.of()));
        case "read" -> read(bootstrap, args.getOrDefault("topic", List.of()));
        default -> throw new IllegalArgumentException("first argument must be 'write' or 'read', got '" + mode + "'");
      };
      System.out.println(json);
      System.out.flush();
      System.exit(0);
    } catch (Throwable e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  // ---------------------------------------------------------------------------------------------- write mode

  /** One topic's outcome: the sends whose acks tell partition, offset and timestamp. */
  static final class TopicWrite {
    final String topic, scenario, writer;
    final int partitions;
    final List<String> compression;
    final boolean transactional;
    final List<Sent> expected = new ArrayList<>();
    final List<Sent> aborted = new ArrayList<>();

    TopicWrite(String topic, String scenario, int partitions, List<String> compression, boolean transactional) {
      this.topic = topic;
      this.scenario = scenario;
      this.writer = transactional ? "java-transactional-producer" : "java-producer";
      this.partitions = partitions;
      this.compression = compression;
      this.transactional = transactional;
    }
  }

  record Sent(ProducerRecord<byte[], byte[]> record, Future<RecordMetadata> ack) {}

  static String write(String bootstrap, String prefix, List<String> extraTopics) throws Exception {
    long started = System.currentTimeMillis();
    List<TopicWrite> plan = new ArrayList<>();
    for (String codec : CODECS) plan.add(new TopicWrite(prefix + "-codec-" + codec, "codec-" + codec, 3, List.of(codec), false));
    TopicWrite large = new TopicWrite(prefix + "-zstd-large-batch", "zstd-large-batch", 1, List.of("zstd"), false);
    TopicWrite txn = new TopicWrite(prefix + "-transactions", "transactions", 2, List.of("none", "zstd"), true);
    TopicWrite edge = new TopicWrite(prefix + "-edge-records", "edge-records", 2, List.of("none"), false);
    plan.addAll(List.of(large, txn, edge));

    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      List<NewTopic> topics = new ArrayList<>();
      // Records carry fixed past timestamps: time retention must not delete them in the middle of a test.
      for (TopicWrite t : plan) topics.add(newTopic(t.topic, t.partitions));
      for (String extra : extraTopics) topics.add(newTopic(extra, 1));
      admin.createTopics(topics).all().get();

      // The scenarios are independent and mostly wait on the broker, so they run side by side.
      ExecutorService pool = Executors.newFixedThreadPool(plan.size());
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int i = 0; i < CODECS.length; i++) running.add(pool.submit(call(writeCodecTopic(bootstrap, plan.get(i)))));
        running.add(pool.submit(call(() -> writeLargeZstdBatch(bootstrap, large))));
        running.add(pool.submit(call(() -> writeTransactions(bootstrap, prefix, txn))));
        running.add(pool.submit(call(() -> writeEdgeRecords(bootstrap, edge))));
        for (Future<?> f : running) f.get();
      } finally {
        pool.shutdownNow();
      }

      Json out = new Json().open('{').field("kafkaVersion").str(AppInfoParser.getVersion());
      out.field("writeMs").num(System.currentTimeMillis() - started).field("topics").open('[');
      for (TopicWrite t : plan) {
        out.comma().open('{').field("topic").str(t.topic).field("scenario").str(t.scenario).field("writer").str(t.writer);
        out.field("partitions").num(t.partitions).field("compression").open('[');
        for (String c : t.compression) out.comma().str(c);
        out.close(']').field("transactional").bool(t.transactional);
        out.field("expected").open('[');
        for (Sent s : t.expected) sentRecord(out.comma(), s);
        out.close(']').field("aborted").open('[');
        for (Sent s : t.aborted) sentRecord(out.comma(), s);
        out.close(']').field("batches");
        batches(out, admin, t.topic);
        out.close('}');
      }
      return out.close(']').close('}').toString();
    }
  }

  static NewTopic newTopic(String name, int partitions) {
    return new NewTopic(name, java.util.Optional.of(partitions), java.util.Optional.empty()).configs(Map.of("retention.ms", "-1"));
  }

  interface Step {
    void run() throws Exception;
  }

  static Callable<Void> call(Step step) {
    return () -> {
      step.run();
      return null;
    };
  }

  /** acks=all and idempotence, stated rather than left to the client's defaults. */
  static Properties producerConfig(String bootstrap, String codec, String clientId) {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("client.id", clientId);
    p.put("acks", "all");
    p.put("enable.idempotence", "true");
    p.put("compression.type", codec);
    p.put("linger.ms", "5");
    // One request in flight: a producer whose first requests to a partition it just created are pipelined can
    // have them overtaken (KAFKA-15591) and spin on OUT_OF_ORDER_SEQUENCE_NUMBER; the corpus needs no speed.
    p.put("max.in.flight.requests.per.connection", "1");
    p.put("max.block.ms", "20000");
    p.put("request.timeout.ms", "15000");
    p.put("delivery.timeout.ms", "40000");
    p.put("key.serializer", ByteArraySerializer.class.getName());
    p.put("value.serializer", ByteArraySerializer.class.getName());
    return p;
  }

  /** A few hundred records in 3 partitions; linger.ms 5 and an unwaited send loop make batches of many records. */
  static Step writeCodecTopic(String bootstrap, TopicWrite t) {
    return () -> {
      String codec = t.compression.get(0);
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap, codec, "corpus-" + codec))) {
        for (int i = 0; i < 300; i++) {
          byte[] key = i % 5 == 0 ? null : bytes("key-" + (i % 23));
          String text = "{\"codec\":\"" + codec + "\",\"n\":" + i + ",\"text\":\"" + "lorem ipsum ".repeat(i % 40) + "\"}";
          Headers headers = new RecordHeaders();
          if (i % 7 == 0) {
            headers.add("n", bytes(Integer.toString(i)));
            headers.add("codec", bytes(codec));
          }
          t.expected.add(send(producer, new ProducerRecord<>(t.topic, null, null, key, bytes(text), headers)));
        }
        producer.flush();
        awaitAll(t.expected);
      }
    };
  }

  /**
   * One zstd batch whose records decompress to about 3 MiB: 3000 compressible 1 KiB values sent without waiting,
   * with room for all of them in one batch (batch.size 4 MiB) and a linger longer than the send loop.
   * Readers that cap a batch's decompressed size at 1 MiB fail here. The manifest's batches show the real size.
   */
  static void writeLargeZstdBatch(String bootstrap, TopicWrite t) throws Exception {
    Properties config = producerConfig(bootstrap, "zstd", "corpus-zstd-large");
    config.put("batch.size", Integer.toString(4 << 20));
    config.put("linger.ms", "1000");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      for (int i = 0; i < 3000; i++) {
        t.expected.add(send(producer, new ProducerRecord<>(t.topic, 0, bytes("big-" + i), bytes(kibValue("large", i)))));
      }
      producer.flush();
      awaitAll(t.expected);
    }
  }

  /**
   * Two transactional producers on one topic, committed and aborted transactions interleaved: producer A
   * uncompressed, producer B zstd, their transactions open at the same time in the same partitions, and an
   * aborted transaction of more than 1 MiB from each. Every transaction is flushed before it ends, so the
   * records of aborted transactions really are in the log (with offsets) and a reader must skip them.
   */
  static void writeTransactions(String bootstrap, String prefix, TopicWrite t) throws Exception {
    Properties a = producerConfig(bootstrap, "none", "corpus-txn-a");
    a.put("transactional.id", prefix + "-txn-a");
    Properties b = producerConfig(bootstrap, "zstd", "corpus-txn-b");
    b.put("transactional.id", prefix + "-txn-b");
    try (KafkaProducer<byte[], byte[]> pa = new KafkaProducer<>(a); KafkaProducer<byte[], byte[]> pb = new KafkaProducer<>(b)) {
      pa.initTransactions();
      pb.initTransactions();
      transaction(pa, t, "a-commit-1", 30, 100, true);
      transaction(pb, t, "b-abort-zstd", 50, 100, false);
      // Both open at once: their batches interleave in each partition; only A's are committed.
      pa.beginTransaction();
      pb.beginTransaction();
      List<Sent> fromA = new ArrayList<>(), fromB = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        fromA.add(send(pa, txnRecord(t, "a-interleaved-commit", i, 100)));
        fromB.add(send(pb, txnRecord(t, "b-interleaved-abort", i, 100)));
        if (i % 10 == 9) {
          pa.flush();
          pb.flush();
        }
      }
      pa.flush();
      pb.flush();
      pa.commitTransaction();
      pb.abortTransaction();
      t.expected.addAll(fromA);
      t.aborted.addAll(fromB);
      transaction(pa, t, "a-abort-large", 1100, 1024, false);
      transaction(pb, t, "b-abort-large-zstd", 1100, 1024, false);
      transaction(pb, t, "b-commit-zstd", 25, 100, true);
      transaction(pa, t, "a-commit-after-large-abort", 30, 100, true);
      awaitAll(t.expected);
      awaitAll(t.aborted);
    }
  }

  static void transaction(KafkaProducer<byte[], byte[]> producer, TopicWrite t, String label, int count, int size, boolean commit) throws Exception {
    producer.beginTransaction();
    List<Sent> sent = new ArrayList<>();
    for (int i = 0; i < count; i++) sent.add(send(producer, txnRecord(t, label, i, size)));
    producer.flush();
    if (commit) producer.commitTransaction();
    else producer.abortTransaction();
    (commit ? t.expected : t.aborted).addAll(sent);
  }

  static ProducerRecord<byte[], byte[]> txnRecord(TopicWrite t, String label, int i, int size) {
    String value = size >= 1024 ? kibValue(label, i) : (label + " " + i + " ").repeat(Math.max(1, size / (label.length() + 8)));
    Headers headers = new RecordHeaders().add("txn", bytes(label));
    return new ProducerRecord<>(t.topic, null, null, bytes(label + "-" + i), bytes(value), headers);
  }

  /** Records at the edges of the format, each to a fixed partition so the manifest reads in a known order. */
  static void writeEdgeRecords(String bootstrap, TopicWrite t) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(bootstrap, "none", "corpus-edge"))) {
      List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
      records.add(new ProducerRecord<>(t.topic, 0, null, bytes("no key")));
      records.add(new ProducerRecord<>(t.topic, 0, bytes("tombstone"), null));
      records.add(new ProducerRecord<>(t.topic, 0, bytes("empty value"), new byte[0]));
      records.add(new ProducerRecord<>(t.topic, 0, new byte[0], bytes("empty key")));
      records.add(new ProducerRecord<>(t.topic, 0, null, null));
      records.add(new ProducerRecord<>(t.topic, 0, null, bytes("ключ-🔑-キー"), bytes("значение ✓ 値"), new RecordHeaders()));
      records.add(new ProducerRecord<>(t.topic, 0, null, bytes("many headers"), bytes("40 headers"), manyHeaders()));
      records.add(new ProducerRecord<>(t.topic, 0, OLD_TIMESTAMP, bytes("old timestamp"), bytes("2001-09-09T01:46:40Z")));
      records.add(new ProducerRecord<>(t.topic, 0, 0L, bytes("epoch timestamp"), bytes("1970-01-01T00:00:00Z")));
      byte[] everyByte = new byte[256];
      for (int i = 0; i < 256; i++) everyByte[i] = (byte) i;
      records.add(new ProducerRecord<>(t.topic, 0, everyByte, everyByte));
      byte[] big = new byte[300 * 1024]; // one record larger than a small fetch size, uncompressed
      for (int i = 0; i < big.length; i++) big[i] = (byte) (i * 31 + (i >> 8));
      records.add(new ProducerRecord<>(t.topic, 0, bytes("300 KiB value"), big));
      records.add(new ProducerRecord<>(t.topic, 1, bytes("alone in partition 1"), bytes("p1")));
      records.add(new ProducerRecord<>(t.topic, 1, null, bytes("empty header value"), bytes("h"), new RecordHeaders().add("empty", new byte[0])));
      for (ProducerRecord<byte[], byte[]> r : records) t.expected.add(send(producer, r));
      producer.flush();
      awaitAll(t.expected);
    }
  }

  /** 40 headers: names repeated (order matters), a null value, an empty value, a non-ASCII name. */
  static Headers manyHeaders() {
    Headers headers = new RecordHeaders();
    for (int i = 0; i < 36; i++) headers.add(new RecordHeader("h" + (i % 9), bytes("value-" + i)));
    headers.add(new RecordHeader("null-value", (byte[]) null));
    headers.add(new RecordHeader("empty-value", new byte[0]));
    headers.add(new RecordHeader("заголовок", bytes("ü")));
    headers.add(new RecordHeader("h0", bytes("last h0")));
    return headers;
  }

  static Sent send(KafkaProducer<byte[], byte[]> producer, ProducerRecord<byte[], byte[]> record) {
    return new Sent(record, producer.send(record));
  }

  static void awaitAll(List<Sent> sent) throws Exception {
    for (Sent s : sent) s.ack.get();
  }

  /** About 1 KiB of text that compresses well, unique per record. */
  static String kibValue(String label, int i) {
    String head = label + "-" + i + ":";
    return head + "abcdefghijklmnopqrstuvwxyz0123456789".repeat(29).substring(0, 1024 - head.length());
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static void sentRecord(Json out, Sent s) throws Exception {
    RecordMetadata md = s.ack.get();
    ProducerRecord<byte[], byte[]> r = s.record;
    record(out, md.partition(), md.offset(), md.timestamp(), r.key(), r.value(), r.headers());
  }

  // ----------------------------------------------------------------------------------------------- read mode

  /** What Kafka's own consumer sees, read_committed, from the start of each partition to its last stable offset. */
  static String read(String bootstrap, List<String> topics) throws Exception {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    p.put("isolation.level", "read_committed");
    p.put("enable.auto.commit", "false");
    p.put("key.deserializer", ByteArrayDeserializer.class.getName());
    p.put("value.deserializer", ByteArrayDeserializer.class.getName());
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap)); KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p)) {
      Json out = new Json().open('{').field("kafkaVersion").str(AppInfoParser.getVersion()).field("topics").open('[');
      for (String topic : topics) {
        List<TopicPartition> parts = new ArrayList<>();
        consumer.partitionsFor(topic, Duration.ofSeconds(20)).forEach(i -> parts.add(new TopicPartition(topic, i.partition())));
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts, Duration.ofSeconds(20));
        List<ConsumerRecord<byte[], byte[]>> seen = new ArrayList<>();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!parts.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
          if (System.currentTimeMillis() > deadline) throw new IllegalStateException("could not read " + topic + " to its end offsets " + end);
          consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
        }
        out.comma().open('{').field("topic").str(topic).field("partitions").num(parts.size()).field("records").open('[');
        for (ConsumerRecord<byte[], byte[]> r : seen) record(out.comma(), r.partition(), r.offset(), r.timestamp(), r.key(), r.value(), r.headers());
        out.close(']').field("batches");
        batches(out, admin, topic);
        out.close('}');
      }
      return out.close(']').close('}').toString();
    }
  }

  static void record(Json out, int partition, long offset, long timestamp, byte[] key, byte[] value, Headers headers) {
    out.open('{').field("partition").num(partition).field("offset").str(Long.toString(offset)).field("timestamp").num(timestamp);
    out.field("key").b64(key).field("value").b64(value).field("headers").open('[');
    for (Header h : headers) out.comma().open('[').str(h.key()).comma().b64(h.value()).close(']');
    out.close(']').close('}');
  }

  // ------------------------------------------------------------------------------------------ batches in the log

  /**
   * Every batch of every partition as the leader stores it, fetched read_uncommitted so aborted and control
   * batches show too, and decoded by Kafka's own MemoryRecords: the corpus proves its batch shapes (records
   * per batch, codec, decompressed size) instead of assuming the producer made them.
   */
  static void batches(Json out, Admin admin, String topic) throws Exception {
    TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
    out.open('[');
    for (TopicPartitionInfo info : description.partitions()) {
      Node leader = info.leader();
      try (Socket socket = new Socket(leader.host(), leader.port())) {
        socket.setSoTimeout(20_000);
        long offset = 0, highWatermark = Long.MAX_VALUE;
        while (offset < highWatermark) {
          RawFetch fetched = fetch(socket, topic, info.partition(), offset);
          highWatermark = fetched.highWatermark;
          boolean progressed = false;
          for (MutableRecordBatch batch : MemoryRecords.readableRecords(fetched.records).batches()) {
            batch(out.comma(), info.partition(), batch);
            offset = batch.lastOffset() + 1;
            progressed = true;
          }
          if (!progressed && offset < highWatermark) throw new IllegalStateException("no whole batch at " + topic + "/" + info.partition() + "@" + offset);
        }
      }
    }
    out.close(']');
  }

  static void batch(Json out, int partition, MutableRecordBatch batch) {
    long count = 0, recordsBytes = 0;
    for (Record r : batch) {
      count++;
      recordsBytes += r.sizeInBytes();
    }
    out.open('{').field("partition").num(partition).field("baseOffset").str(Long.toString(batch.baseOffset()));
    out.field("lastOffset").str(Long.toString(batch.lastOffset())).field("records").num(count);
    out.field("compression").str(batch.compressionType().name).field("transactional").bool(batch.isTransactional());
    out.field("control").bool(batch.isControlBatch()).field("producerId").str(Long.toString(batch.producerId()));
    out.field("sizeInBytes").num(batch.sizeInBytes()).field("recordsBytes").num(recordsBytes).close('}');
  }

  record RawFetch(long highWatermark, ByteBuffer records) {}

  /**
   * One Fetch v4 request for one partition, encoded by hand: the consumer API hides batches, and Fetch v4 is
   * the oldest version both Kafka 3.9 and 4.x accept (KIP-896). Layout per the Kafka protocol guide:
   * request header v1, then replica_id, max_wait_ms, min_bytes, max_bytes, isolation_level, [topic [partition
   * fetch_offset partition_max_bytes]]; response: correlation_id, throttle_time_ms, [topic [partition error_code
   * high_watermark last_stable_offset [aborted_transactions] records]].
   */
  static RawFetch fetch(Socket socket, String topic, int partition, long offset) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(body);
    o.writeShort(1); // api key: Fetch
    o.writeShort(4);
    o.writeInt(1); // correlation id
    writeString(o, "corpus-writer");
    o.writeInt(-1);
    o.writeInt(0);
    o.writeInt(0);
    o.writeInt(64 << 20);
    o.writeByte(0); // read_uncommitted
    o.writeInt(1);
    writeString(o, topic);
    o.writeInt(1);
    o.writeInt(partition);
    o.writeLong(offset);
    o.writeInt(16 << 20); // above the largest batch the corpus writes, so every fetch returns a whole batch
    DataOutputStream socketOut = new DataOutputStream(socket.getOutputStream());
    socketOut.writeInt(body.size());
    body.writeTo(socketOut);
    socketOut.flush();

    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] response = new byte[in.readInt()];
    in.readFully(response);
    ByteBuffer b = ByteBuffer.wrap(response);
    b.getInt(); // correlation id
    b.getInt(); // throttle time
    b.getInt(); // one topic
    b.position(b.position() + 2 + b.getShort(b.position()));
    b.getInt(); // one partition
    b.getInt();
    short error = b.getShort();
    if (error != 0) throw new IllegalStateException("Fetch of " + topic + "/" + partition + "@" + offset + " failed with error code " + error);
    long highWatermark = b.getLong();
    b.getLong(); // last stable offset
    int aborted = b.getInt();
    if (aborted > 0) b.position(b.position() + aborted * 16);
    int size = b.getInt();
    return new RawFetch(highWatermark, size <= 0 ? ByteBuffer.allocate(0) : b.slice(b.position(), size));
  }

  static void writeString(DataOutputStream o, String s) throws IOException {
    byte[] utf8 = bytes(s);
    o.writeShort(utf8.length);
    o.write(utf8);
  }

  // ---------------------------------------------------------------------------------------- arguments and JSON

  static Map<String, List<String>> parseArgs(String[] argv) {
    Map<String, List<String>> args = new HashMap<>();
    for (int i = 1; i < argv.length; i++) {
      if (!argv[i].startsWith("--") || i + 1 >= argv.length) throw new IllegalArgumentException("expected --name value, got '" + argv[i] + "'");
      args.computeIfAbsent(argv[i].substring(2), k -> new ArrayList<>()).add(argv[++i]);
    }
    return args;
  }

  static String one(Map<String, List<String>> args, String name) {
    List<String> values = args.get(name);
    if (values == null || values.size() != 1) throw new IllegalArgumentException("expected one --" + name);
    return values.get(0);
  }

  /** A JSON writer just big enough for the manifest: the kafka-clients jar brings no JSON library. */
  static final class Json {
    final StringBuilder sb = new StringBuilder();
    /** Whether the next value in the open array or object needs a comma before it. */
    boolean needComma = false;

    Json open(char c) {
      sb.append(c);
      needComma = false;
      return this;
    }

    Json close(char c) {
      sb.append(c);
      needComma = true;
      return this;
    }

    /** Before an array element. */
    Json comma() {
      if (needComma) sb.append(',');
      needComma = false;
      return this;
    }

    Json field(String name) {
      comma();
      quote(name);
      sb.append(':');
      return this;
    }

    Json str(String s) {
      quote(s);
      needComma = true;
      return this;
    }

    Json num(long n) {
      sb.append(n);
      needComma = true;
      return this;
    }

    Json bool(boolean b) {
      sb.append(b);
      needComma = true;
      return this;
    }

    Json b64(byte[] bytes) {
      if (bytes == null) sb.append("null");
      else sb.append('"').append(Base64.getEncoder().encodeToString(bytes)).append('"');
      needComma = true;
      return this;
    }

    void quote(String s) {
      sb.append('"');
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        if (c == '"' || c == '\\') sb.append('\\').append(c);
        else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
        else sb.append(c);
      }
      sb.append('"');
    }

    @Override
    public String toString() {
      return sb.toString();
    }
  }
}
