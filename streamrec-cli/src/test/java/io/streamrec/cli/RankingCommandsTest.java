package io.streamrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** evaluate and pretrain with the positives-only models, ranking metrics and the label checks. */
class RankingCommandsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static CliRun run(String... args) {
        return CliRun.of(args);
    }

    /** 1-5 ratings, 2 in 5 of them 4 or 5: 40 users, 200 items, the low items popular. */
    private Path ratings() throws Exception {
        StringBuilder sb = new StringBuilder();
        java.util.Random rnd = new java.util.Random(3);
        for (int e = 0; e < 2000; e++) {
            int u = e % 40;
            double x = rnd.nextDouble();
            int i = (int) (200 * x * x);
            sb.append(u).append('\t').append(i).append('\t').append(1 + e / 40 % 5);
            sb.append('\t').append(1000 + e).append('\n');
        }
        Path f = dir.resolve("u.data");
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void shouldRefuseBinaryModelsOnRatingsWithAMessageNamingPositives() throws Exception {
        Path data = ratings();
        for (String model : List.of("logistic-mf", "bpr", "implicit-logistic")) {
            for (String command : List.of("evaluate", "pretrain")) {
                CliRun r = command.equals("evaluate")
                        ? run(command, "--ratings", data.toString(), "--model", model)
                        : run(
                                command,
                                "--ratings",
                                data.toString(),
                                "--model",
                                model,
                                "--out",
                                dir.resolve("m.srm").toString());
                assertEquals(2, r.code(), command + " " + model + ": " + r.out());
                assertTrue(r.err().contains("--positives MIN"), r.err());
            }
        }
    }

    @Test
    void shouldReportRankingMetricsForPositivesOnlyModelsAndTheCurve() throws Exception {
        Path curve = dir.resolve("curve.csv");
        CliRun r = run(
                "evaluate",
                "--ratings",
                ratings().toString(),
                "--model",
                "bpr",
                "--positives",
                "4",
                "--curve",
                curve.toString(),
                "--curve-every",
                "100");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals(800, j.get("events").asLong(), "ratings 4 and 5 are 2 of 5 labels");
        assertTrue(j.get("evaluated").asLong() > 700, j.toString());
        assertTrue(j.has("recall_at_10") && j.has("ndcg_at_10") && j.has("mrr"), j.toString());
        assertFalse(j.has("rmse"), "a ranking model predicts no labels: " + j);
        List<String> lines = Files.readAllLines(curve);
        assertTrue(
                lines.get(0)
                        .endsWith(",evaluated,window_recall_at_10,window_ndcg_at_10,window_mrr,recall_at_10"
                                + ",ndcg_at_10,mrr"),
                lines.get(0));
        assertEquals(1 + 8, lines.size());
    }

    @Test
    void shouldRankWithTheRatingModelWhenAskedAndNameTheCutoff() throws Exception {
        CliRun r = run("evaluate", "--ratings", ratings().toString(), "--metric", "rmse,recall@5,ndcg@5");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertTrue(j.has("rmse") && j.has("recall_at_5") && j.has("ndcg_at_5"), j.toString());
        CliRun bad = run("evaluate", "--ratings", ratings().toString(), "--metric", "recall@5,ndcg@10");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("one N"), bad.err());
        CliRun rmse = run(
                "evaluate",
                "--ratings",
                ratings().toString(),
                "--model",
                "popularity",
                "--positives",
                "1",
                "--metric",
                "rmse");
        assertEquals(2, rmse.code());
        assertTrue(rmse.err().contains("judged by ranking"), rmse.err());
    }

    @Test
    void evaluateShouldTrainFismWithItsDefaultNegativesAndRefuseWhatItCannotDo() throws Exception {
        String data = ratings().toString();
        CliRun r = run("evaluate", "--ratings", data, "--model", "fism", "--positives", "4");
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals("fism", j.get("model").asText());
        assertEquals(10, j.get("negatives").asInt());
        assertTrue(j.get("evaluated").asLong() > 700 && j.get("recall_at_10").asDouble() > 0, j.toString());
        Map<List<String>, String> refused = Map.of(
                List.of("evaluate", "--batch-size", "32"), "--batch-size",
                List.of("evaluate", "--optimizer", "adagrad"), "--optimizer",
                List.of(
                                "pretrain",
                                "--epochs",
                                "3",
                                "--out",
                                dir.resolve("f.srm").toString()),
                        "--epochs");
        refused.forEach((args, word) -> {
            List<String> all = new java.util.ArrayList<>(args);
            all.addAll(List.of("--ratings", data, "--model", "fism", "--positives", "4"));
            CliRun bad = run(all.toArray(String[]::new));
            assertEquals(2, bad.code(), all + ": " + bad.out());
            assertTrue(bad.err().contains(word), all + ": " + bad.err());
        });
    }

    @Test
    void pretrainShouldReportHoldoutRankingForPositivesOnlyModels() throws Exception {
        Path out = dir.resolve("p.srm");
        CliRun r = run(
                "pretrain",
                "--ratings",
                ratings().toString(),
                "--model",
                "popularity",
                "--positives",
                "1",
                "--out",
                out.toString());
        assertEquals(0, r.code(), r.err());
        JsonNode j = r.lastJson();
        assertEquals(1600, j.get("train").asLong());
        assertTrue(j.get("recall_at_10").asDouble() > 0, j.toString());
        assertTrue(Files.size(out) > 0);
        CliRun als = run(
                "pretrain",
                "--ratings",
                ratings().toString(),
                "--model",
                "bpr",
                "--positives",
                "1",
                "--algorithm",
                "als",
                "--out",
                out.toString());
        assertEquals(2, als.code());
    }

    /**
     * Positives with a personal signal: 40 users in 4 groups, each group picking 4 times in 5 among its own 30 items
     * (else among all 120), in time order; {@code from} and {@code to} select events by number.
     */
    private Path grouped(String name, int from, int to) throws Exception {
        StringBuilder sb = new StringBuilder();
        java.util.Random rnd = new java.util.Random(5);
        for (int e = 0; e < 4000; e++) {
            int u = e % 40;
            int i = rnd.nextDouble() < 0.8 ? 30 * (u % 4) + rnd.nextInt(30) : rnd.nextInt(120);
            if (e >= from && e < to) {
                sb.append(u)
                        .append('\t')
                        .append(i)
                        .append("\t1\t")
                        .append(1000 + e)
                        .append('\n');
            }
        }
        Path f = dir.resolve(name);
        Files.writeString(f, sb);
        return f;
    }

    @Test
    void fismShouldPretrainInOnePassAndFineTuneFromItsSnapshot() throws Exception {
        String first = grouped("first.data", 0, 2000).toString();
        String last = grouped("last.data", 2000, 2400).toString();
        Path snapshot = dir.resolve("fism.srm");
        CliRun pre =
                run("pretrain", "--ratings", first, "--model", "fism", "--holdout", "0", "--out", snapshot.toString());
        assertEquals(0, pre.code(), pre.err());
        assertEquals(1, pre.lastJson().get("epochs").asInt(), pre.out());
        CliRun warm = run("evaluate", "--ratings", last, "--model", "fism", "--init-model", snapshot.toString());
        CliRun cold = run("evaluate", "--ratings", last, "--model", "fism");
        assertEquals(0, warm.code(), warm.err());
        assertEquals(0, cold.code(), cold.err());
        double warmRecall = warm.lastJson().get("recall_at_10").asDouble();
        double coldRecall = cold.lastJson().get("recall_at_10").asDouble();
        // From the snapshot every user arrives with a history and every item with its context vector, so the
        // last 10 events of each user start where the first 50 ended: 0.30 against 0.07 cold. With the item rows
        // alone (the histories and context vectors lost on the way) it gives 0.19, 2.7x cold; the data and the
        // seeds are fixed, so the figures are too.
        assertTrue(warmRecall > 3 * coldRecall, "from the snapshot " + warmRecall + ", cold " + coldRecall);
    }
}
