package io.streamrec.client;

import io.streamrec.model.MalformedRecordException;
import io.streamrec.model.ModelMeta;
import io.streamrec.model.ModelRecordCodec;
import io.streamrec.model.ModelStore;
import io.streamrec.model.ModelUpdate;
import io.streamrec.model.Prediction;
import io.streamrec.model.Recommender;
import io.streamrec.model.RowChange;
import io.streamrec.model.ScoredItem;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Follows the compacted {@code model-updates} topic and answers predict / recommend / similar-items queries
 * from the latest model, held in a {@link ModelStore}.
 *
 * <p>Reads with its own consumer on its own thread: no consumer group, all partitions assigned and read
 * from the beginning with {@code isolation.level=read_committed} (so aborted trainer transactions never show).
 * The end offsets taken when the partitions are first assigned mark what "loaded" means: {@link #isReady()}
 * turns true once every partition's position has reached them, and stays true. Partitions added to the topic
 * later are not followed. Records that break docs/contracts.md are logged, counted
 * ({@link #malformedRecords()}) and skipped; they never stop the thread. A fatal consumer error (for instance
 * failed authentication) ends the thread; {@link #failure()} then reports it.
 *
 * <p>Record keys: {@code user:<id>}, {@code item:<id>}, {@code mean:<partition>}, {@code mean:snapshot},
 * {@code meta}; values: JSON rows, label sums and meta as in docs/contracts.md; a null value (tombstone) removes
 * the row. The global mean every score starts from is the sum of the {@code mean:*} sums over the sum of their
 * counts ({@link ModelStore#globalMean()}); the meta record, which the trainer re-publishes at every start, only
 * sets the model kind, factor count and label range. Predictions equal the trainer's
 * {@code Model.predictScore(Model.score(..))}.
 */
public final class ModelClient implements Recommender, AutoCloseable {
    /** Default topic name (contract: docs/contracts.md). */
    public static final String DEFAULT_TOPIC = "model-updates";

    /** Where the reader is; the CLI turns it into an error message when loading times out. */
    public enum Status {
        NOT_STARTED,
        CONNECTING,
        WAITING_FOR_TOPIC,
        LOADING,
        READY,
        FAILED,
        CLOSED
    }

    private static final Logger LOG = LoggerFactory.getLogger(ModelClient.class);
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration METADATA_TIMEOUT = Duration.ofSeconds(2);

    private final String topic;
    private final Properties consumerProperties;
    private final ModelStore store = new ModelStore();
    private final List<RowListener> listeners = new CopyOnWriteArrayList<>();
    private final CountDownLatch settled = new CountDownLatch(1);
    private final AtomicLong malformed = new AtomicLong();
    private final AtomicLong recordsRead = new AtomicLong();
    private final Thread thread;
    private volatile KafkaConsumer<String, byte[]> consumer;
    private volatile Status status = Status.NOT_STARTED;
    private volatile boolean ready;
    private volatile boolean closing;
    private volatile Throwable failure;

    /** A client of {@value #DEFAULT_TOPIC} at {@code bootstrapServers}. */
    public ModelClient(String bootstrapServers) {
        this(bootstrapServers, DEFAULT_TOPIC, Map.of());
    }

    /**
     * A client of {@code topic}. {@code consumerProperties} are passed to the Kafka consumer (security settings
     * such as {@code security.protocol}, {@code sasl.*}, {@code ssl.*}) and override the defaults here, except
     * the deserializers. Nothing connects before {@link #start()}.
     */
    public ModelClient(String bootstrapServers, String topic, Map<String, ?> consumerProperties) {
        this.topic = Objects.requireNonNull(topic, "topic");
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, Objects.requireNonNull(bootstrapServers, "bootstrapServers"));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "streamrec-model-client");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putAll(consumerProperties);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        this.consumerProperties = p;
        this.thread = new Thread(this::run, "model-client-" + topic);
        this.thread.setDaemon(true);
    }

    /**
     * Creates the consumer and starts reading. Listeners added before see every row.
     *
     * @throws org.apache.kafka.common.KafkaException when the consumer configuration is invalid
     *         (for instance no resolvable bootstrap server)
     */
    public synchronized ModelClient start() {
        if (status != Status.NOT_STARTED) {
            throw new IllegalStateException("already started");
        }
        consumer = new KafkaConsumer<>(consumerProperties);
        status = Status.CONNECTING;
        thread.start();
        return this;
    }

    /** Registers a listener told of every row change from now on. */
    public void addListener(RowListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    public void removeListener(RowListener listener) {
        listeners.remove(listener);
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    /**
     * Waits until the model is loaded, the reader failed, or {@code timeout} passed.
     *
     * @return {@link #isReady()}
     */
    public boolean awaitReady(Duration timeout) throws InterruptedException {
        settled.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        return ready;
    }

    public Status status() {
        return status;
    }

    /** The error that stopped the reader, if any. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** Records skipped because they break the contract. */
    public long malformedRecords() {
        return malformed.get();
    }

    /** Records read from the topic, malformed ones included. */
    public long recordsRead() {
        return recordsRead.get();
    }

    public String topic() {
        return topic;
    }

    @Override
    public Prediction predict(String user, String item) {
        return store.predict(user, item);
    }

    @Override
    public List<ScoredItem> recommend(String user, int k, Set<String> exclude) {
        return store.recommend(user, k, exclude);
    }

    @Override
    public Optional<List<ScoredItem>> similarItems(String item, int k) {
        return store.similarItems(item, k);
    }

    /**
     * The scan {@link #recommend} runs: {@code int8-vector-512} or {@code int8-vector-256} (the 8-bit SIMD first stage,
     * on a JVM started with {@code --add-modules jdk.incubator.vector}), or {@code float} (every item scored in float,
     * 5-9 times slower on a large catalogue). The ready log line names it too.
     */
    public String topKScan() {
        return store.topKKernel();
    }

    /** The global mean scores start from; see {@link ModelStore#globalMean()}. */
    public double globalMean() {
        return store.globalMean();
    }

    @Override
    public long modelVersion() {
        return store.modelVersion();
    }

    /** Largest {@code updatedAt} seen, epoch ms; 0 before any. */
    public long lastUpdate() {
        return store.lastUpdate();
    }

    @Override
    public Optional<ModelMeta> meta() {
        return store.meta();
    }

    /** The trainer's publication gates by user partition ({@link ModelStore#gates()}); empty without a gate. */
    public java.util.SortedMap<Integer, io.streamrec.model.GateState> gates() {
        return store.gates();
    }

    /** False while some partition's gate is closed: the model held is then the model as last accepted. */
    public boolean gateOpen() {
        return store.gateOpen();
    }

    public int userCount() {
        return store.userCount();
    }

    public int itemCount() {
        return store.itemCount();
    }

    @Override
    public boolean hasUser(String user) {
        return store.hasUser(user);
    }

    public boolean hasItem(String item) {
        return store.hasItem(item);
    }

    /** Stops the reader and closes the consumer; waits up to 10 s for the thread. */
    @Override
    public void close() {
        closing = true;
        KafkaConsumer<String, byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (thread.isAlive() && Thread.currentThread() != thread) {
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        status = Status.CLOSED;
        settled.countDown();
    }

    private void run() {
        KafkaConsumer<String, byte[]> c = consumer;
        try (c) {
            List<TopicPartition> partitions = discoverPartitions(c);
            if (partitions == null) {
                return;
            }
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = endOffsets(c, partitions);
            if (end == null) {
                return;
            }
            status = Status.LOADING;
            checkReady(c, end);
            while (!closing) {
                ConsumerRecords<String, byte[]> records = c.poll(POLL);
                if (!records.isEmpty()) {
                    applyBatch(records);
                }
                if (!ready) {
                    checkReady(c, end);
                }
            }
        } catch (WakeupException e) {
            if (!closing) {
                fail(e);
            }
        } catch (RuntimeException | Error e) {
            fail(e);
        } finally {
            if (status != Status.FAILED) {
                status = Status.CLOSED;
            }
            settled.countDown();
        }
    }

    private void fail(Throwable e) {
        failure = e;
        status = Status.FAILED;
        LOG.error("model client for topic {} stopped: {}", topic, e.toString());
    }

    /** Waits for the topic's partitions; null when closed first. */
    private List<TopicPartition> discoverPartitions(KafkaConsumer<String, byte[]> c) {
        while (!closing) {
            List<PartitionInfo> infos;
            try {
                infos = c.partitionsFor(topic, METADATA_TIMEOUT);
            } catch (TimeoutException e) {
                status = Status.CONNECTING;
                continue;
            }
            if (infos != null && !infos.isEmpty()) {
                List<TopicPartition> partitions = new ArrayList<>(infos.size());
                for (PartitionInfo info : infos) {
                    partitions.add(new TopicPartition(info.topic(), info.partition()));
                }
                return partitions;
            }
            status = Status.WAITING_FOR_TOPIC;
            sleepQuietly(500);
        }
        return null;
    }

    private Map<TopicPartition, Long> endOffsets(KafkaConsumer<String, byte[]> c, List<TopicPartition> partitions) {
        while (!closing) {
            try {
                return new HashMap<>(c.endOffsets(partitions, METADATA_TIMEOUT));
            } catch (TimeoutException e) {
                status = Status.CONNECTING;
            }
        }
        return null;
    }

    private void checkReady(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
            long position;
            try {
                position = c.position(e.getKey(), METADATA_TIMEOUT);
            } catch (TimeoutException timeout) {
                return;
            }
            if (position < e.getValue()) {
                return;
            }
        }
        ready = true;
        status = Status.READY;
        settled.countDown();
        String scan = store.topKKernel();
        LOG.info(
                "model client ready: {} users, {} items, model version {}, top-k scan {}{}",
                store.userCount(),
                store.itemCount(),
                store.modelVersion(),
                scan,
                scan.equals("float")
                        ? " (start the JVM with --add-modules jdk.incubator.vector for the 8-bit SIMD first stage)"
                        : "");
    }

    private void applyBatch(ConsumerRecords<String, byte[]> records) {
        List<ModelUpdate> updates = new ArrayList<>(records.count());
        for (ConsumerRecord<String, byte[]> r : records) {
            recordsRead.incrementAndGet();
            try {
                updates.add(ModelRecordCodec.decode(r.key(), r.value()));
            } catch (MalformedRecordException e) {
                skip(r, e.getMessage());
            } catch (RuntimeException e) {
                skip(r, e.toString());
            }
        }
        ModelStore.ApplyResult result = store.apply(updates);
        for (String rejection : result.rejections()) {
            malformed.incrementAndGet();
            LOG.warn("skipped a {} record: {}", topic, rejection);
        }
        if (listeners.isEmpty()) {
            return;
        }
        for (RowChange change : result.changes()) {
            for (RowListener listener : listeners) {
                try {
                    listener.onRowChange(change);
                } catch (RuntimeException e) {
                    LOG.warn("row listener {} failed on {}: {}", listener, change, e.toString());
                }
            }
        }
    }

    private void skip(ConsumerRecord<String, byte[]> r, String reason) {
        malformed.incrementAndGet();
        LOG.warn("skipped malformed record {}-{}@{}: {}", r.topic(), r.partition(), r.offset(), reason);
    }

    private void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closing = true;
        }
    }
}
