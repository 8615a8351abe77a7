package io.streamrec.app;

import io.streamrec.learn.FactorTable;
import io.streamrec.learn.Model;
import io.streamrec.learn.ModelSnapshot;
import io.streamrec.learn.ResidualNeighbourhood;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelUpdates;
import io.streamrec.model.RowKind;
import io.streamrec.stream.FismSeed;
import io.streamrec.stream.MetaRecord;
import io.streamrec.stream.Topics;
import io.streamrec.stream.TrainerConfig;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes to {@code model-updates} outside Kafka Streams, before it starts: a snapshot's rows when a new application
 * id starts from {@code init.model}, and the {@code meta} record at every start.
 */
final class ModelSeeder {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSeeder.class);

    private ModelSeeder() {}

    /**
     * Publishes every row of the snapshot, its global-mean sums and the meta record to {@code model-updates}; a fism
     * snapshot's users' histories and context vectors go to {@code fism-seed}.
     */
    static void seed(TrainerConfig config) {
        ModelSnapshot.Contents contents = ModelSnapshot.readContents(config.initModel());
        Model snapshot = contents.model();
        if (snapshot.hyper().userScale() != config.hyperparameters().userScale()) {
            throw new IllegalArgumentException(TrainerConfig.INIT_MODEL + ": snapshot " + config.initModel() + " was "
                    + (snapshot.hyper().userScale() ? "" : "not ") + "trained with the user scale; set "
                    + TrainerConfig.USER_SCALE + "=" + snapshot.hyper().userScale() + " to start from it");
        }
        if (snapshot.hyper().kind() != config.hyperparameters().kind()
                || snapshot.hyper().factors() != config.hyperparameters().factors()) {
            throw new IllegalArgumentException(TrainerConfig.INIT_MODEL + ": snapshot " + config.initModel() + " is a "
                    + snapshot.hyper().kind().id() + " with " + snapshot.hyper().factors()
                    + " factors, but the trainer is set to "
                    + config.hyperparameters().kind().id() + " with "
                    + config.hyperparameters().factors() + " factors");
        }
        long now = System.currentTimeMillis();
        try (KafkaProducer<String, byte[]> p = producer(config)) {
            for (RowKind kind : RowKind.values()) {
                FactorTable t = snapshot.table(kind);
                int w = t.width();
                // With the residual neighbourhood rows are published longer: its coordinates, none learned yet.
                float[] served = new float[config.publishedWidth()];
                for (int r = 0; r < t.size(); r++) {
                    System.arraycopy(t.params(), r * w, served, 0, w);
                    if (served.length > w && kind == RowKind.ITEM) {
                        ResidualNeighbourhood.itemTail(null, t.id(r), served, w);
                    }
                    // updates = 0: the streamed-event count starts at the snapshot.
                    p.send(new ProducerRecord<>(
                            Topics.MODEL_UPDATES,
                            ModelKeys.row(kind, t.id(r)),
                            ModelUpdates.row(kind, t.id(r), served, 0, served.length, t.version(r), 0, now)));
                }
            }
            if (contents.fism() != null) {
                // What an earlier seed left (users and items of another snapshot) must not reach this model's tasks.
                Set<String> stale = latestKeys(config, Topics.FISM_SEED);
                FismSeed.records(contents.fism(), snapshot.items(), (key, value) -> {
                    stale.remove(key);
                    p.send(new ProducerRecord<>(Topics.FISM_SEED, key, value));
                });
                for (String key : stale) {
                    p.send(new ProducerRecord<>(Topics.FISM_SEED, key, null));
                }
            }
            p.send(new ProducerRecord<>(
                    Topics.MODEL_UPDATES,
                    ModelKeys.MEAN_SNAPSHOT_KEY,
                    ModelUpdates.mean(-1, snapshot.mean().sum(), snapshot.mean().count())));
            p.send(new ProducerRecord<>(
                    Topics.MODEL_UPDATES,
                    ModelKeys.META,
                    MetaRecord.of(
                            config.hyperparameters(),
                            config.publishedWidth() - config.hyperparameters().width(),
                            snapshot.globalMean(),
                            config.initModel().getFileName().toString(),
                            now)));
            p.flush();
        }
        LOG.info(
                "seeded {} with {} user and {} item rows from {}",
                Topics.MODEL_UPDATES,
                snapshot.users().size(),
                snapshot.items().size(),
                config.initModel());
    }

    static void publishMeta(TrainerConfig config, String snapshot) {
        try (KafkaProducer<String, byte[]> p = producer(config)) {
            var h = config.hyperparameters();
            p.send(new ProducerRecord<>(
                    Topics.MODEL_UPDATES,
                    ModelKeys.META,
                    MetaRecord.of(
                            h,
                            config.publishedWidth() - h.width(),
                            (h.minLabel() + h.maxLabel()) / 2.0,
                            snapshot,
                            System.currentTimeMillis())));
            p.flush();
        }
    }

    /** The keys of {@code topic} whose latest record is not a tombstone, read from every partition to the end. */
    static Set<String> latestKeys(TrainerConfig config, String topic) {
        Map<String, Object> props = config.clientProperties(ConsumerConfig.configNames());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Set<String> keys = new HashSet<>();
        try (KafkaConsumer<String, byte[]> c =
                new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(topic, i.partition()))
                    .toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = c.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (partitions.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("could not read " + topic + " to its end within 60 s");
                }
                for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(200))) {
                    if (r.value() == null) {
                        keys.remove(r.key());
                    } else {
                        keys.add(r.key());
                    }
                }
            }
        }
        return keys;
    }

    private static KafkaProducer<String, byte[]> producer(TrainerConfig config) {
        Map<String, Object> props = config.clientProperties(ProducerConfig.configNames());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        return new KafkaProducer<>(props, new StringSerializer(), new ByteArraySerializer());
    }
}
