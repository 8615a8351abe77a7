package io.streamrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.streamrec.kafka.EmbeddedKafkaExtension;
import io.streamrec.kafka.KafkaTestBroker;
import io.streamrec.kafka.TopicAdmin;
import io.streamrec.model.ModelKeys;
import io.streamrec.model.ModelKind;
import io.streamrec.model.ModelMeta;
import io.streamrec.model.ModelRecordCodec;
import io.streamrec.model.ModelRow;
import io.streamrec.model.RowKind;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@Tag("integration")
@ExtendWith(EmbeddedKafkaExtension.class)
class RecommendCommandTest {
    private static String bootstrap;

    @BeforeAll
    static void broker(KafkaTestBroker broker) {
        bootstrap = broker.bootstrapServers();
    }

    private static CliRun run(String... args) {
        String[] line = new String[args.length + 1];
        line[0] = "recommend";
        System.arraycopy(args, 0, line, 1, args.length);
        return CliRun.of(line);
    }

    /** A fresh compacted topic holding {@code records} (key, value) in this order. */
    private static String modelTopic(int partitions, List<Map.Entry<String, byte[]>> records) throws Exception {
        String topic = "model-updates-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = TopicAdmin.admin(bootstrap)) {
            TopicAdmin.ensureTopics(admin, List.of(TopicAdmin.compactedTopic(topic, partitions, (short) 1)));
        }
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (KafkaProducer<String, byte[]> producer =
                new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer())) {
            for (Map.Entry<String, byte[]> r : records) {
                producer.send(new ProducerRecord<>(topic, r.getKey(), r.getValue()));
            }
        }
        return topic;
    }

    /** A biased-MF meta record with one factor, labels 1-5 and this global mean placeholder. */
    private static Map.Entry<String, byte[]> meta(long events) {
        return Map.entry(
                ModelKeys.META,
                ModelRecordCodec.encodeMeta(new ModelMeta(ModelKind.BIASED_MF, 1, 3.0, events, 1.0, 5.0, null, 0)));
    }

    /** A one-factor row with bias 0. */
    private static Map.Entry<String, byte[]> row(RowKind kind, String id, float factor) {
        ModelRow row = new ModelRow(kind, id, 0f, new float[] {factor}, 1, 1, 0, 0);
        return Map.entry(row.key(), ModelRecordCodec.encodeRow(row));
    }

    @Test
    void shouldPrintATableWithTitlesFromTheTopic(@TempDir Path dir) throws Exception {
        String topic = modelTopic(
                2,
                List.of(
                        meta(10),
                        row(RowKind.USER, "196", 1f),
                        row(RowKind.ITEM, "1", 1f),
                        row(RowKind.ITEM, "2", 0.5f),
                        row(RowKind.ITEM, "3", -1f)));
        Path items = dir.resolve("u.item");
        Files.write(
                items,
                List.of("1|Toy Story (1995)|01-Jan-1995||http://x|0|0", "2|Caf\u00e9 (1994)|...", "3|Heat (1995)|..."),
                StandardCharsets.ISO_8859_1);

        CliRun run = run(
                "--bootstrap-servers",
                bootstrap,
                "--topic",
                topic,
                "--user",
                "196",
                "-k",
                "2",
                "--items",
                items.toString(),
                "--timeout",
                "60");
        assertEquals(0, run.code(), run.err());
        String[] lines = run.out().split("\n");
        assertTrue(lines[0].contains("model version 4"), run.out());
        assertTrue(lines[1].matches("rank\\s+item\\s+title\\s+score\\s*"), lines[1]);
        assertTrue(lines[2].matches("\\s*1\\s+1\\s+Toy Story \\(1995\\)\\s+4\\.0000"), lines[2]);
        assertTrue(lines[3].matches("\\s*2\\s+2\\s+Caf\u00e9 \\(1994\\)\\s+3\\.5000"), lines[3]);
        assertEquals(4, lines.length);
    }

    @Test
    void shouldPrintOneJsonObjectWithJson(@TempDir Path dir) throws Exception {
        String topic = modelTopic(
                1,
                List.of(
                        meta(10),
                        row(RowKind.USER, "196", 1f),
                        row(RowKind.ITEM, "1", 1f),
                        row(RowKind.ITEM, "a \"quoted\" id", 0.5f)));
        Path items = dir.resolve("u.item");
        Files.write(items, List.of("1|Toy Story (1995)|01-Jan-1995"), StandardCharsets.ISO_8859_1);

        CliRun run = run(
                "--bootstrap-servers",
                bootstrap,
                "--topic",
                topic,
                "--user",
                "196",
                "-k",
                "5",
                "--json",
                "--items",
                items.toString(),
                "--timeout",
                "60");
        assertEquals(0, run.code(), run.err());
        assertEquals(1, run.out().lines().count(), run.out());
        com.fasterxml.jackson.databind.JsonNode o =
                new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.out());
        assertEquals("196", o.get("user").asText());
        assertTrue(o.get("userKnown").asBoolean());
        assertEquals("biased-mf", o.get("model").asText());
        assertEquals(3, o.get("modelVersion").asLong());
        assertEquals(2, o.get("items").size());
        assertEquals(1, o.get("items").get(0).get("rank").asInt());
        assertEquals("1", o.get("items").get(0).get("item").asText());
        assertEquals(4.0, o.get("items").get(0).get("score").asDouble(), 1e-6);
        assertEquals("Toy Story (1995)", o.get("items").get(0).get("title").asText());
        assertEquals("a \"quoted\" id", o.get("items").get(1).get("item").asText());
        assertFalse(o.get("items").get(1).has("title"), "no title for an item u.item does not list");
    }

    @Test
    void shouldScoreWithTheGlobalMeanOfTheMeanRecordsNotTheMetaPlaceholder() throws Exception {
        // As the trainer writes them: sums of a partition and of the seeding snapshot, then meta re-published at a
        // restart with the label-range midpoint as its globalMean.
        String topic = modelTopic(
                2,
                List.of(
                        Map.entry(ModelKeys.mean(0), ModelRecordCodec.encodeMean(0, 70.0, 20.0)),
                        Map.entry(ModelKeys.mean(-1), ModelRecordCodec.encodeMean(-1, 10.0, 5.0)),
                        meta(0),
                        row(RowKind.USER, "196", 1f),
                        row(RowKind.ITEM, "1", 1f),
                        row(RowKind.ITEM, "2", 0.5f)));

        CliRun run =
                run("--bootstrap-servers", bootstrap, "--topic", topic, "--user", "196", "-k", "2", "--timeout", "60");
        assertEquals(0, run.code(), run.err());
        String[] lines = run.out().split("\n");
        // Global mean (70 + 10) / (20 + 5) = 3.2, not meta's 3.0.
        assertTrue(lines[2].matches("\\s*1\\s+1\\s+4\\.2000"), run.out());
        assertTrue(lines[3].matches("\\s*2\\s+2\\s+3\\.7000"), run.out());
    }

    @Test
    void shouldExitWith2AndNameTheOptionOnBadUsage() {
        CliRun missingUser = run("--bootstrap-servers", "127.0.0.1:9092");
        assertEquals(2, missingUser.code());
        assertTrue(missingUser.err().contains("--user"), missingUser.err());

        CliRun badK = run("--bootstrap-servers", "127.0.0.1:9092", "--user", "1", "-k", "0");
        assertEquals(2, badK.code());
        assertTrue(badK.err().contains("-k must be between 1 and 1000"), badK.err());

        CliRun badServers = run("--bootstrap-servers", "localhost", "--user", "1");
        assertEquals(2, badServers.code());
        assertTrue(badServers.err().contains("--bootstrap-servers"), badServers.err());

        CliRun badItems = run("--bootstrap-servers", "127.0.0.1:9092", "--user", "1", "--items", "/no/such/u.item");
        assertEquals(2, badItems.code());
        assertTrue(badItems.err().contains("--items"), badItems.err());
    }

    @Test
    void shouldExitWith1WhenTheBrokerIsUnreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        CliRun run = run("--bootstrap-servers", "127.0.0.1:" + port, "--user", "1", "--timeout", "2");
        assertEquals(1, run.code());
        assertTrue(run.err().startsWith("Cannot reach Kafka at 127.0.0.1:" + port + " within 2 s"), run.err());
        assertFalse(run.err().contains("Exception"), run.err());
    }
}
