package io.streamrec.stream;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.streams.StreamsConfig;

/**
 * What the trainer's Kafka clients are given: every setting of a {@link TrainerConfig} that is not streamrec's own,
 * over the defaults below. The defaults are the trainer's tuning of Kafka Streams (each with its reason); a setting
 * given explicitly always wins.
 */
final class KafkaSettings {
    private KafkaSettings() {}

    /** Kafka Streams properties: our application id and servers, the defaults, and every pass-through setting. */
    @SuppressWarnings("deprecation") // PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG: see below
    static Properties streams(TrainerConfig config) {
        Properties p = new Properties();
        config.settings().forEach((k, v) -> {
            if (!TrainerConfig.ownKeys().contains(k)) {
                p.put(k, v);
            }
        });
        p.putIfAbsent(StreamsConfig.REPLICATION_FACTOR_CONFIG, String.valueOf(config.replicationFactor()));
        // Events and re-keyed events need no time alignment across the two input topics of a user task; without
        // this, a task whose user-events partition is empty re-checks (and logs) its idling state on every record.
        p.putIfAbsent(StreamsConfig.MAX_TASK_IDLE_MS_CONFIG, "-1");
        // Two kinds of tasks, user and item: with one thread, a backlog of events keeps the thread in the user
        // tasks and the item rows they read fall further behind (StreamParityTest: +1.0% instead of +0.3% RMSE).
        p.putIfAbsent(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "2");
        // Commits follow the flushes: each flush.interval.ms punctuation asks for one (FlushPunctuation), and that
        // decides freshness and the commits per second. Kafka Streams' own timer, which those commits do not reset,
        // is only a backstop: at its exactly-once default of 100 ms it would add commits beside them. Half of Kafka
        // Streams' exactly-once transaction.timeout.ms (10 s), which the commit interval must not exceed.
        p.putIfAbsent(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, "5000");
        // Producer batches of up to 256 KB instead of the client's 16 KB: a training instance writes item gradients,
        // model rows and changelogs at tens of MB/s, and at 16 KB a batch fills every few milliseconds, each one a
        // produce request for the broker to append and the producer to complete. Latency is unchanged: Kafka
        // Streams flushes the producer at every commit. bench-stream (its earlier method, new applications every
        // round), both topologies: training 141,000-210,000 -> 243,000-251,000 events/s, broker CPU per event
        // 3.1-4.2 -> 2.2-2.3 us. (A plain "batch.size" is the old name of train.batch.size for one more release; the
        // producer's is set with the "producer." prefix.)
        p.putIfAbsent(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), String.valueOf(256 * 1024));
        // Larger input buffers than Kafka Streams' 1,000 records per partition (Kafka Streams stops fetching a
        // partition once that many are buffered), and larger polls. bench-stream, both topologies, one run: training
        // 217,000-256,000 -> 310,000-355,000 events/s; max.poll.records alone changed nothing. Why the buffer
        // matters this much for the trainer (three input topics per thread) is not established.
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
        p.putIfAbsent(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG, "10000");
        // Kafka Streams 4.x warns, once per config it builds, that the global thread ignores the processing exception
        // handler unless this is set, and makes it the default in 5.0. The handler is Kafka Streams' default (log and
        // fail), as an exception in the global thread did before. Two of the three warnings at start remain: they
        // come from configs Kafka Streams builds internally from a subset of these settings (ClientUtils).
        p.putIfAbsent(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG, "true");
        // Recovery after a crash. A member that died without leaving the group keeps its partitions until its
        // session times out (45 s by default), and a restarted instance's join waits for that: the stalls of
        // 30-54 s per kill seen in ChaosTest. Static membership lets the restarted instance take its members'
        // places at once; the id is stable for one host and state directory, which no two running instances
        // share (docs/architecture.md: recovery). An empty group.instance.id turns it off.
        String instanceId = p.getProperty(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (instanceId == null) {
            p.put(
                    ConsumerConfig.GROUP_INSTANCE_ID_CONFIG,
                    defaultInstanceId(config.applicationId(), p.getProperty(StreamsConfig.STATE_DIR_CONFIG)));
        } else if (instanceId.isBlank()) {
            p.remove(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        }
        // An instance that dies and does not come back holds its partitions for a session timeout: 10 s instead of
        // 45 s, the broker's minimum being 6 s. Heartbeats every 3 s leave room for two missed ones.
        p.putIfAbsent(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        p.putIfAbsent(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "3000");
        // Restoring the global store reads model-updates one partition after another, and each switch waited for
        // the fetch left pending on the finished partition: fetch.max.wait.ms, 500 ms by default, per partition.
        // Idle fetches come back sooner too, which costs a few requests per second and shortens how long a new
        // item row waits to reach the user tasks.
        p.putIfAbsent(StreamsConfig.globalConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "50");
        p.putIfAbsent(StreamsConfig.restoreConsumerPrefix(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG), "50");
        return p;
    }

    /**
     * {@code <application id>-<host name>-<hash of the absolute state directory>}: the same for an instance restarted
     * on the same host over the same (possibly emptied) state directory, different for two instances on one host.
     */
    static String defaultInstanceId(String applicationId, String stateDir) {
        String dir = stateDir != null
                ? stateDir
                : Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams").toString();
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = System.getenv().getOrDefault("HOSTNAME", "localhost");
        }
        CRC32 crc = new CRC32();
        crc.update(Path.of(dir).toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
        return applicationId + "-" + host + "-" + Long.toHexString(crc.getValue());
    }

    /** Kafka client properties for admin, producers and consumers outside Kafka Streams (security settings etc.). */
    static Map<String, Object> clients(TrainerConfig config) {
        Map<String, Object> p = new LinkedHashMap<>();
        config.settings().forEach((k, v) -> {
            if (!TrainerConfig.ownKeys().contains(k)
                    && !k.startsWith("processing.")
                    && !k.equals(TrainerConfig.APPLICATION_ID)
                    && !k.startsWith("group.")
                    && !k.startsWith("num.stream")
                    && !k.startsWith("state.")
                    && !k.startsWith("commit.")) {
                p.put(k, v);
            }
        });
        return p;
    }
}
