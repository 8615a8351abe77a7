package io.streamrec.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.model.ModelKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Precedence of the settings' sources, pass-through to Kafka, and the messages for bad values. */
class TrainerConfigTest {
    @TempDir
    Path dir;

    private static final Map<String, String> SERVERS = Map.of(TrainerConfig.BOOTSTRAP_SERVERS, "dummy:9092");

    @Test
    void shouldTakeFlagsOverEnvironmentOverFileOverDefaults() throws IOException {
        Path file = dir.resolve("trainer.properties");
        Files.writeString(
                file, "bootstrap.servers=file:9092\ntrain.batch.size=10\nflush.interval.ms=20\nitem.batch.size=30\n");
        Map<String, String> env =
                Map.of("STREAMREC_TRAIN_BATCH_SIZE", "11", "STREAMREC_FLUSH_INTERVAL_MS", "21", "PATH", "/usr/bin");
        Map<String, String> flags = new HashMap<>();
        flags.put("train.batch.size", "12");
        flags.put("model.factors", null); // an unset flag does not hide the lower sources
        TrainerConfig c = TrainerConfig.load(file, env, flags);
        assertEquals(12, c.batchSize(), "flag wins");
        assertEquals(21, c.flushIntervalMs(), "environment over file");
        assertEquals(30, c.itemBatchSize(), "file over default");
        assertEquals(4, c.partitions(), "default");
        assertEquals("file:9092", c.bootstrapServers());
        assertEquals(32, c.hyperparameters().factors());
    }

    /** The gate judges held-out RMSE, which a ranking model's scores do not estimate: refused, naming what is allowed. */
    @ParameterizedTest
    @ValueSource(strings = {"bpr", "implicit-logistic", "fism", "popularity"})
    void shouldRefuseTheGateForEveryPositivesOnlyKindNamingTheSettingAndTheAllowedKinds(String kind) {
        Map<String, String> s = new HashMap<>(SERVERS);
        s.put(TrainerConfig.MODEL_KIND, kind);
        s.put(GateConfig.ENABLED, "true");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainerConfig.of(s));
        for (String word :
                new String[] {GateConfig.ENABLED, TrainerConfig.MODEL_KIND, kind, "biased-mf", "logistic-mf"}) {
            assertTrue(e.getMessage().contains(word), () -> "'" + word + "' in: " + e.getMessage());
        }
        s.put(GateConfig.ENABLED, "false");
        assertFalse(TrainerConfig.of(s).gate().enabled(), "the same model without the gate is accepted");
    }

    @Test
    void shouldRefuseABadLabelOrNormCheckSettingNamingItAndWhatIsAllowed() {
        Map<String, String[]> bad = Map.of(
                GateConfig.LABEL_EVENTS, new String[] {"10", "0 (off) or >= 20"},
                GateConfig.LABEL_FRACTION, new String[] {"1.5", "in (0, 1)"},
                GateConfig.NORM_FACTOR, new String[] {"0.5", "0 (off) or > 1"});
        bad.forEach((key, valueAndRule) -> {
            Map<String, String> s = new HashMap<>(SERVERS);
            s.put(GateConfig.ENABLED, "true");
            s.put(key, valueAndRule[0]);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainerConfig.of(s));
            assertTrue(
                    e.getMessage().contains(key) && e.getMessage().contains(valueAndRule[1]),
                    () -> key + ": " + e.getMessage());
        });
        Map<String, String> off = new HashMap<>(SERVERS);
        off.put(GateConfig.ENABLED, "true");
        off.put(GateConfig.LABEL_EVENTS, "0");
        assertEquals(0, TrainerConfig.of(off).gate().labelEvents(), "0 turns the label check off");
        off.put(GateConfig.NORM_FACTOR, "0");
        assertEquals(null, TrainerConfig.of(off).gate().normCheck(1, 5, null), "0 turns the norm check off");
        assertEquals(10, TrainerConfig.of(SERVERS).gate().normFactor(), 1e-12, "the default");
    }

    @Test
    void shouldTakeFismWithItsTenNegativesByDefault() {
        Map<String, String> s = new HashMap<>(SERVERS);
        s.put(TrainerConfig.MODEL_KIND, "fism");
        TrainerConfig c = TrainerConfig.of(s);
        assertEquals(ModelKind.FISM, c.hyperparameters().kind());
        assertEquals(10, c.negatives());
    }

    @ParameterizedTest
    @ValueSource(strings = {"biased-mf", "logistic-mf"})
    void shouldAcceptTheGateForTheKindsThatPredictALabel(String kind) {
        Map<String, String> s = new HashMap<>(SERVERS);
        s.put(TrainerConfig.MODEL_KIND, kind);
        s.put(GateConfig.ENABLED, "true");
        if (kind.equals("logistic-mf")) {
            s.put(TrainerConfig.MIN_LABEL, "0");
            s.put(TrainerConfig.MAX_LABEL, "1");
        }
        assertTrue(TrainerConfig.of(s).gate().enabled());
    }

    @Test
    void shouldPassUnknownSettingsThroughToKafkaStreamsButKeepItsOwnOut() {
        TrainerConfig c = TrainerConfig.of(Map.of(
                TrainerConfig.BOOTSTRAP_SERVERS,
                "b:9092",
                "num.stream.threads",
                "3",
                "security.protocol",
                "SASL_SSL",
                "train.batch.size",
                "5"));
        Properties p = c.streamsProperties();
        assertEquals("3", p.get("num.stream.threads"));
        assertEquals("SASL_SSL", p.get("security.protocol"));
        assertEquals("b:9092", p.get(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG));
        assertEquals("streamrec", p.get(StreamsConfig.APPLICATION_ID_CONFIG));
        assertEquals(StreamsConfig.EXACTLY_ONCE_V2, p.get(StreamsConfig.PROCESSING_GUARANTEE_CONFIG));
        assertFalse(
                p.containsKey("batch.size") || p.containsKey(TrainerConfig.BATCH_SIZE),
                "the mini-batch is streamrec's");
        assertFalse(p.containsKey(TrainerConfig.READINESS_MAX_STALL_MS), "readiness is streamrec's, not Kafka's");
        assertEquals(30_000, c.readinessMaxStallMs(), "default");
        assertEquals("262144", p.get("producer.batch.size"), "the producer's, 256 KB by default");
        assertEquals(
                "65536",
                TrainerConfig.of(Map.of(TrainerConfig.BOOTSTRAP_SERVERS, "b:9092", "producer.batch.size", "65536"))
                        .streamsProperties()
                        .get("producer.batch.size"),
                "a user's producer.batch.size wins");
        assertEquals("5000", p.get("max.poll.records"));
        assertEquals("10000", p.get(StreamsConfig.BUFFERED_RECORDS_PER_PARTITION_CONFIG));
        assertEquals("true", p.get(StreamsConfig.PROCESSING_EXCEPTION_HANDLER_GLOBAL_ENABLED_CONFIG));
        assertEquals("5000", p.get(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG));
        assertEquals("SASL_SSL", c.clientProperties().get("security.protocol"));
        assertFalse(c.clientProperties().containsKey("num.stream.threads"));
    }

    @Test
    void shouldRequireBootstrapServersAndSayHowToSetThem() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainerConfig.of(Map.of()));
        assertTrue(e.getMessage().startsWith("bootstrap.servers is required"), e.getMessage());
        assertTrue(e.getMessage().contains("STREAMREC_BOOTSTRAP_SERVERS"), e.getMessage());
    }

    @ParameterizedTest(name = "{0}={1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "train.batch.size | 0 | train.batch.size must be >= 1, got 0",
                "train.batch.size | abc | train.batch.size must be an integer, got \"abc\"",
                "flush.interval.ms | -5 | flush.interval.ms must be >= 1, got -5",
                "model.kind | foo | model.kind: ",
                "processing.guarantee | bogus | processing.guarantee must be exactly_once_v2 or at_least_once, got \"bogus\"",
                "http.port | 70000 | http.port must be in 0..65535",
                "model.learning.rate | fast | model.learning.rate must be a number, got \"fast\"",
                "model.schedule | cosine | model.schedule must be constant or inverse-scaling",
                "model.seed | abc | model.seed must be an integer, got \"abc\"",
                "model.factors | x | model.factors must be an integer",
                "readiness.max.stall.ms | 999 | readiness.max.stall.ms must be >= 1000 (milliseconds without processed input",
                "readiness.max.stall.ms | 30s | readiness.max.stall.ms must be an integer, got \"30s\"",
                "global.store | disk | global.store must be memory or rocksdb, got \"disk\"",
                "model.user.scale | yes | model.user.scale must be true or false, got \"yes\"",
            })
    void shouldNameTheSettingInTheMessageForABadValue(String key, String value, String message) {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TrainerConfig.of(Map.of(TrainerConfig.BOOTSTRAP_SERVERS, "b:9092", key, value)));
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void shouldTurnTheUserScaleOnForTheBiasedModelAndRefuseItForAnother() {
        assertFalse(TrainerConfig.of(SERVERS).hyperparameters().userScale());
        TrainerConfig on =
                TrainerConfig.of(Map.of(TrainerConfig.BOOTSTRAP_SERVERS, "b:9092", TrainerConfig.USER_SCALE, "TRUE"));
        assertTrue(on.hyperparameters().userScale());
        assertEquals(on.hyperparameters().factors() + 2, on.hyperparameters().width());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TrainerConfig.of(Map.of(
                        TrainerConfig.BOOTSTRAP_SERVERS,
                        "b:9092",
                        TrainerConfig.USER_SCALE,
                        "true",
                        TrainerConfig.MODEL_KIND,
                        "logistic-mf")));
        assertTrue(e.getMessage().contains("model.user.scale"), e.getMessage());
    }

    @Test
    void shouldSayWhichFileItCannotRead() {
        Path missing = dir.resolve("nope.properties");
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> TrainerConfig.load(missing, null, SERVERS));
        assertTrue(e.getMessage().contains("cannot read config file " + missing), e.getMessage());
    }

    @Test
    void shouldValidateAgainWhenASettingIsChanged() {
        TrainerConfig c = TrainerConfig.of(SERVERS);
        assertEquals(7, c.with(TrainerConfig.BATCH_SIZE, "7").batchSize());
        assertThrows(IllegalArgumentException.class, () -> c.with(TrainerConfig.BATCH_SIZE, "0"));
    }

    @Test
    void shouldKeepRowsForeverByDefaultAndRefuseANegativeTtl() {
        TrainerConfig c = TrainerConfig.of(SERVERS);
        assertEquals(0, c.rowsTtlMs());
        assertEquals(86_400_000L, c.with(TrainerConfig.ROWS_TTL_MS, "86400000").rowsTtlMs());
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> c.with(TrainerConfig.ROWS_TTL_MS, "-1"));
        assertTrue(e.getMessage().contains("rows.ttl.ms must be >= 0"), e.getMessage());
    }

    @Test
    void shouldReportHangingTransactionsAfterFiveMinutesByDefaultAndRefuseBadSettings() {
        TrainerConfig c = TrainerConfig.of(SERVERS);
        assertEquals(300_000, c.hangingTransactionMs());
        assertFalse(c.abortHangingTransactions());
        assertTrue(c.with(TrainerConfig.HANGING_TRANSACTION_ACTION, "abort").abortHangingTransactions());
        IllegalArgumentException tooShort =
                assertThrows(IllegalArgumentException.class, () -> c.with(TrainerConfig.HANGING_TRANSACTION_MS, "999"));
        assertTrue(tooShort.getMessage().contains("hanging.transaction.ms must be >= 1000"), tooShort.getMessage());
        IllegalArgumentException unknown = assertThrows(
                IllegalArgumentException.class, () -> c.with(TrainerConfig.HANGING_TRANSACTION_ACTION, "commit"));
        assertTrue(
                unknown.getMessage().contains("hanging.transaction.action must be report or abort, got \"commit\""),
                unknown.getMessage());
    }

    @Test
    void shouldKeepTheGlobalStoreInMemoryByDefaultAndOnDiskWhenAsked() {
        TrainerConfig c = TrainerConfig.of(SERVERS);
        assertFalse(c.globalStoreOnDisk());
        TrainerConfig disk = c.with(TrainerConfig.GLOBAL_STORE, "rocksdb");
        assertTrue(disk.globalStoreOnDisk());
        // The topology's global store follows the setting.
        for (TrainerConfig config : List.of(c, disk)) {
            try (TopologyTestDriver driver = new TopologyTestDriver(
                    StreamTopology.build(config, new TrainerListener() {}), config.streamsProperties())) {
                assertEquals(
                        config.globalStoreOnDisk(),
                        driver.getKeyValueStore(Topics.GLOBAL_ROWS_STORE).persistent(),
                        "on disk: " + config.globalStoreOnDisk());
            }
        }
    }

    @Test
    void shouldAdmitUsersAtOnceByDefaultAndRefuseAThresholdBelowOne() {
        TrainerConfig c = TrainerConfig.of(SERVERS);
        assertEquals(1, c.rowsAdmissionMinEvents());
        assertEquals(3, c.with(TrainerConfig.ROWS_ADMISSION_MIN_EVENTS, "3").rowsAdmissionMinEvents());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> c.with(TrainerConfig.ROWS_ADMISSION_MIN_EVENTS, "0"));
        assertTrue(e.getMessage().contains("rows.admission.min.events must be >= 1"), e.getMessage());
    }

    @Test
    void shouldListEveryEffectiveSettingWithSecretsHidden() {
        TrainerConfig c = TrainerConfig.of(Map.of(
                TrainerConfig.BOOTSTRAP_SERVERS,
                "b:9092",
                "ssl.truststore.password",
                "pw1",
                "producer.ssl.key.password",
                "pw2",
                "sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required password=\"pw3\";",
                "security.protocol",
                "SASL_SSL"));
        var all = c.effectiveSettings();
        assertEquals("[hidden]", all.get("ssl.truststore.password"));
        assertEquals("[hidden]", all.get("producer.ssl.key.password"));
        assertEquals("[hidden]", all.get("sasl.jaas.config"));
        assertFalse(all.toString().contains("pw"), "no secret value anywhere: " + all);
        assertEquals("SASL_SSL", all.get("security.protocol"));
        assertEquals("32", all.get(TrainerConfig.BATCH_SIZE), "streamrec's defaults");
        assertEquals("10000", all.get("session.timeout.ms"), "derived Kafka defaults");
        assertTrue(all.containsKey("group.instance.id"));
    }

    @Test
    void shouldNameNoSettingThatAKafkaClientAdminOrStreamsAlsoDefines() {
        Set<String> kafka = new TreeSet<>();
        kafka.addAll(org.apache.kafka.clients.producer.ProducerConfig.configNames());
        kafka.addAll(org.apache.kafka.clients.consumer.ConsumerConfig.configNames());
        kafka.addAll(org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        kafka.addAll(StreamsConfig.configDef().names());
        assertTrue(kafka.contains("batch.size"), "the walk sees the producer's settings");
        Set<String> clash = new TreeSet<>(TrainerConfig.ownKeys());
        clash.retainAll(kafka);
        assertEquals(Set.of(), clash, "streamrec's own keys that Kafka also defines");
    }

    @Test
    void shouldStillTakeTheOldBatchSizeNameForOneReleaseFromEverySource() throws IOException {
        assertEquals(
                7,
                TrainerConfig.of(Map.of(TrainerConfig.BOOTSTRAP_SERVERS, "b:9092", "batch.size", "7"))
                        .batchSize());
        assertEquals(
                11,
                TrainerConfig.load(null, Map.of("STREAMREC_BATCH_SIZE", "11"), SERVERS)
                        .batchSize());
        Path file = dir.resolve("old.properties");
        Files.writeString(file, "batch.size=13\n");
        assertEquals(13, TrainerConfig.load(file, null, SERVERS).batchSize());
        assertFalse(
                TrainerConfig.of(Map.of(TrainerConfig.BOOTSTRAP_SERVERS, "b:9092", "batch.size", "7"))
                        .streamsProperties()
                        .containsKey("batch.size"),
                "the old name does not reach the producers");
    }
}
