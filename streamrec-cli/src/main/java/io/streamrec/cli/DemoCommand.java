package io.streamrec.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.streamrec.app.InteractionProducer;
import io.streamrec.app.TrainerApp;
import io.streamrec.data.Holdout;
import io.streamrec.data.Positives;
import io.streamrec.data.Rating;
import io.streamrec.data.RatingReader;
import io.streamrec.data.SyntheticRatings;
import io.streamrec.eval.PrequentialRanking;
import io.streamrec.eval.ProgressiveValidation;
import io.streamrec.eval.RegressionMetrics;
import io.streamrec.kafka.EmbeddedKafka;
import io.streamrec.learn.BatchTrainer;
import io.streamrec.learn.FismLearner;
import io.streamrec.learn.FismState;
import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.ImplicitBatchTrainer;
import io.streamrec.learn.ImplicitLearner;
import io.streamrec.learn.MiniBatchLearner;
import io.streamrec.learn.Model;
import io.streamrec.learn.ModelSnapshot;
import io.streamrec.learn.ResidualNeighbourhood;
import io.streamrec.model.ModelKind;
import io.streamrec.stream.PrequentialTotals;
import io.streamrec.stream.TrainerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code demo}: everything on one machine. A real Kafka broker in-process, the topics, the trainer, and a
 * producer; with {@code --ratings}, the pretrain-then-fine-tune story side by side with the frozen model.
 */
@Command(
        name = "demo",
        header = "Everything on one machine: in-process Kafka, trainer, producer, live page.",
        mixinStandardHelpOptions = true,
        description =
                "Starts an in-process Kafka broker (KRaft), the trainer and a producer. With --ratings it pretrains "
                        + "on the earliest part of the file, streams the rest through the trainer, and compares the fine-tuned "
                        + "model's prequential RMSE with the frozen pretrained model's on the same events. Without --ratings it "
                        + "streams synthetic events. With --positives MIN it does the same for fism (or -D model.kind=bpr) on the events labeled at least "
                        + "MIN, comparing sampled prequential recall@10. Live page and metrics on --http-port.")
public final class DemoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(
            names = "--ratings",
            paramLabel = "FILE",
            description = "A ratings file (e.g. ml-100k/u.data). Default: synthetic events.")
    Path ratings;

    @Option(
            names = "--events",
            paramLabel = "N",
            description = "Stop after N streamed events and print a summary. Default: run until Ctrl-C.")
    Long events;

    @Option(
            names = "--pretrain-fraction",
            paramLabel = "F",
            description = "Earliest fraction (by time) to pretrain on, in [0, 1). Default: 0.5.")
    double pretrainFraction = 0.5;

    @Option(
            names = "--rate",
            paramLabel = "EVENTS/S",
            description = "Producer rate; 0 = as fast as possible. Default: 0 (file), 2000 (synthetic).")
    Double rate;

    @Option(
            names = "--positives",
            paramLabel = "MIN",
            description =
                    "With --ratings: events labeled >= MIN are positives; pretrains and fine-tunes fism (-D model.kind: another positives-only model) and"
                            + " compares the sampled prequential recall@10 with the frozen model's (no gate, no attack).")
    Float positives;

    @Option(names = "--partitions", paramLabel = "N", description = "Partitions of the topics. Default: 2.")
    int partitions = 2;

    @Option(names = "--batch-size", paramLabel = "B", description = "Events per user mini-batch. Default: 32.")
    int batchSize = 32;

    @Option(names = "--http-port", paramLabel = "PORT", description = "HTTP port (0 = any free port). Default: 8080.")
    int httpPort = 8080;

    /** Prequential RMSE of offline per-event fine-tuning over the streamed events (with --ratings). */
    private double offlineRmse = Double.NaN;

    @Option(
            names = "--attack",
            paramLabel = "KIND",
            description = "Attack the stream: flip, constant, random, shift or bot (docs/gate.md). Default: none.")
    String attack;

    @Option(
            names = "--attack-at",
            paramLabel = "N",
            description = "Streamed event (after the pretraining part) where the attack starts. Default: 10000.")
    long attackAt = 10_000;

    @Option(
            names = "--attack-events",
            paramLabel = "M",
            description = "Streamed events the attack lasts. Default: 10000.")
    long attackEvents = 10_000;

    @Option(
            names = "--no-gate",
            description = "Run without the publication gate (the demo runs with it: gate.enabled=true).")
    boolean noGate;

    @Option(
            names = {"-D", "--set"},
            paramLabel = "KEY=VALUE",
            description = "A trainer setting, e.g. -D gate.rollback.ms=5000 (repeatable).")
    Map<String, String> set = new HashMap<>();

    @Override
    public Integer call() throws Exception {
        if (!(pretrainFraction >= 0 && pretrainFraction < 1)) {
            throw Cli.usage(spec, "--pretrain-fraction must be in [0, 1), got " + pretrainFraction);
        }
        if (events != null && events < 1) {
            throw Cli.usage(spec, "--events must be >= 1, got " + events);
        }
        if (positives != null && (ratings == null || attack != null)) {
            throw Cli.usage(spec, "--positives needs --ratings and takes no --attack (the gate judges ratings)");
        }
        if (attack != null) {
            try {
                AttackStream.Kind.parse(attack);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, e.getMessage());
            }
            if (ratings == null && events == null) {
                throw Cli.usage(spec, "--attack needs --ratings or --events (a stream of known length)");
            }
            if (attackAt < 0 || attackEvents < 1) {
                throw Cli.usage(
                        spec,
                        "--attack-at must be >= 0 and --attack-events >= 1, got " + attackAt + " and " + attackEvents);
            }
        }
        Path work = Files.createTempDirectory("streamrec-demo");
        Path log = work.getParent().resolve(work.getFileName() + ".log");
        DemoLogging.toFile(log);
        System.out.println("Kafka's and the in-process broker's logs: " + log);
        // Ctrl-C and SIGTERM end the stream loop (the summary is printed) instead of the JVM, so that the broker,
        // the trainer and this directory are closed and removed on every way out.
        try (StopSignal signal = StopSignal.install()) {
            return demo(work, signal);
        } finally {
            deleteRecursively(work);
        }
    }

    private Integer demo(Path work, StopSignal signal) throws Exception {
        List<Rating> stream = null;
        Model frozen = null;
        Path snapshot = null;
        if (ratings != null) {
            List<Rating> all = RatingReader.sortByTime(RatingReader.readAll(ratings));
            Holdout.Split split = Holdout.byTime(all, pretrainFraction);
            stream = split.test();
            if (!split.train().isEmpty()) {
                ModelKind kind = positives == null ? ModelKind.BIASED_MF : positivesKind();
                // The snapshot must have the user scale when the stream will (-D model.user.scale=true): read as
                // the trainer's config reads it, before there is a broker to name.
                Map<String, String> given = new HashMap<>(set);
                given.putIfAbsent(TrainerConfig.BOOTSTRAP_SERVERS, "localhost:9092");
                boolean userScale;
                try {
                    userScale = TrainerConfig.of(given).hyperparameters().userScale();
                } catch (IllegalArgumentException e) {
                    throw Cli.usage(spec, e.getMessage());
                }
                Hyperparameters h = Hyperparameters.pretrainDefaults(kind).withUserScale(userScale);
                System.out.printf(
                        "pretraining %s on the earliest %,d events (%.0f%%) ...%n",
                        kind.id(), split.train().size(), pretrainFraction * 100);
                FismState fism = null;
                if (positives == null) {
                    frozen = new BatchTrainer(h, 30, 64, 42).train(split.train(), null);
                } else if (kind == ModelKind.FISM) {
                    // One pass in time order, as `pretrain` does it.
                    FismLearner learner = new FismLearner(
                            new Model(h), ImplicitLearner.defaultNegatives(kind), FismLearner.DEFAULT_ALPHA);
                    learner.learnAll(Positives.apply(split.train(), kind, positives, "--positives"));
                    frozen = learner.model();
                    fism = learner.state();
                } else {
                    frozen = new ImplicitBatchTrainer(h, 30, 64, ImplicitLearner.defaultNegatives(kind), 42)
                            .train(Positives.apply(split.train(), kind, positives, "--positives"), null);
                }
                snapshot = work.resolve("pretrained.srm");
                ModelSnapshot.write(frozen, fism, snapshot, "demo pretrain on " + ratings.getFileName());
            }
            if (events != null) {
                stream = stream.subList(0, (int) Math.min(events, stream.size()));
            }
        }
        System.out.println("starting an in-process Kafka broker ...");
        try (EmbeddedKafka kafka = new EmbeddedKafka().start()) {
            Map<String, String> settings = new HashMap<>();
            settings.put(TrainerConfig.BOOTSTRAP_SERVERS, kafka.bootstrapServers());
            settings.put(TrainerConfig.APPLICATION_ID, "streamrec-demo");
            settings.put("state.dir", work.resolve("state").toString());
            settings.put(TrainerConfig.PARTITIONS, String.valueOf(partitions));
            settings.put(TrainerConfig.BATCH_SIZE, String.valueOf(batchSize));
            settings.put(TrainerConfig.HTTP_PORT, String.valueOf(httpPort));
            settings.put(TrainerConfig.HTTP_BIND, "127.0.0.1");
            // The gate compares held-out RMSE, which means nothing for positives only: the positives demo runs without.
            settings.put(io.streamrec.stream.GateConfig.ENABLED, String.valueOf(!noGate && positives == null));
            if (positives != null) {
                settings.put(TrainerConfig.MODEL_KIND, positivesKind().id());
                settings.put(TrainerConfig.POSITIVES, positives.toString());
            }
            settings.putAll(set);
            if (snapshot != null) {
                settings.put(TrainerConfig.INIT_MODEL, snapshot.toString());
            }
            TrainerConfig config;
            try {
                config = TrainerConfig.of(settings);
            } catch (IllegalArgumentException e) {
                throw Cli.usage(spec, e.getMessage());
            }
            if (snapshot != null && positives == null) {
                // What `evaluate --init-model` gives at batch 1 on the same events from the same snapshot: the
                // offline per-event reference the stream trainer's fine-tuning is measured against.
                Model tuned = Snapshots.fineTune(snapshot, config.hyperparameters());
                ProgressiveValidation offline =
                        new ProgressiveValidation(new MiniBatchLearner(tuned, 1), 10_000, 1_000);
                if (config.neighbourhood()) {
                    offline.withNeighbourhood(new ResidualNeighbourhood(tuned));
                }
                offlineRmse = offline.run(stream, null, null).rmse();
            }
            PrequentialTotals totals = new PrequentialTotals();
            try (TrainerApp app = TrainerApp.start(config, totals, true)) {
                System.out.printf(
                        "trainer started; live page http://127.0.0.1:%d/  metrics http://127.0.0.1:%d/metrics%n",
                        app.http().port(), app.http().port());
                if (!app.awaitRunning(Duration.ofSeconds(60))) {
                    System.err.println("error: Kafka Streams did not reach RUNNING: "
                            + app.streams().state());
                    return 1;
                }
                return runStream(kafka.bootstrapServers(), app, totals, stream, frozen, signal);
            }
        }
    }

    /**
     * The positives-only model the demo pretrains and streams: {@code -D model.kind}'s, else fism, the one that
     * clears the popularity bar on MovieLens (docs/benchmarks.md).
     */
    private ModelKind positivesKind() {
        String kind = set.get(TrainerConfig.MODEL_KIND);
        return kind == null ? ModelKind.FISM : ModelKind.parse(kind);
    }

    private int runStream(
            String bootstrap,
            TrainerApp app,
            PrequentialTotals totals,
            List<Rating> file,
            Model frozen,
            StopSignal signal)
            throws InterruptedException {
        double r = rate != null ? rate : file != null ? 0 : 2000;
        Iterator<Rating> synthetic =
                new SyntheticRatings(SyntheticRatings.Spec.explicit(5_000, 1_000, 8, 42)).iterator();
        if (file == null && attack != null) {
            file = new java.util.ArrayList<>();
            while (file.size() < events) {
                file.add(synthetic.next());
            }
        }
        AttackStream.Kind kind = attack == null ? AttackStream.Kind.NONE : AttackStream.Kind.parse(attack);
        List<AttackStream.Streamed> plan =
                file == null ? null : AttackStream.of(file, kind, attackAt, attackEvents, 1f, 5f, 7);
        long target = plan != null ? plan.size() : events == null ? Long.MAX_VALUE : events;
        // With positives the trainer learns (and counts) only them: wait for as many as the file part holds.
        long positiveTarget = file == null || positives == null
                ? -1
                : file.stream().filter(e -> e.label() >= positives).count();
        FrozenRanking frozenRanking = frozen != null && positives != null ? new FrozenRanking(frozen) : null;
        Iterator<Rating> source =
                plan != null ? plan.stream().map(AttackStream.Streamed::sent).iterator() : synthetic;
        RegressionMetrics frozenError = new RegressionMetrics();
        AtomicBoolean stop = new AtomicBoolean();
        // It paces the producer by the trainer's scored events, which positives-only models do not score.
        ServedModelScore served =
                plan == null || positives != null ? null : new ServedModelScore(app.modelClient(), totals, plan);
        Thread producer = new Thread(
                () -> {
                    try (InteractionProducer p = new InteractionProducer(bootstrap)) {
                        p.sendAll(source, target, r, stop::get, e -> {
                            if (frozenRanking != null) {
                                frozenRanking.event(e, positives);
                            } else if (frozen != null) {
                                frozenError.add(e.label(), frozen.predict(e.user(), e.item()));
                            }
                            if (served != null) {
                                served.beforeSend(stop::get);
                            }
                        });
                    }
                },
                "demo-producer");
        producer.setDaemon(true);
        producer.start();
        long start = System.nanoTime();
        long lastEvents = 0;
        long lastTime = start;
        while (!signal.await(2, TimeUnit.SECONDS)) {
            long now = System.nanoTime();
            long n = positives == null ? totals.events() : totals.trained();
            if (positives == null) {
                System.out.printf(
                        "events %,10d  %,8.0f/s  prequential RMSE %.4f  MAE %.4f  rejected %d  state %s%n",
                        n,
                        (n - lastEvents) / ((now - lastTime) / 1e9),
                        totals.rmse(),
                        totals.mae(),
                        totals.rejected(),
                        app.streams().state());
            } else {
                System.out.printf(
                        "positives %,10d  %,8.0f/s  recall@10 (sampled) %.4f  rejected %d  state %s%n",
                        n,
                        (n - lastEvents) / ((now - lastTime) / 1e9),
                        totals.recall(),
                        totals.rejected(),
                        app.streams().state());
            }
            lastEvents = n;
            lastTime = now;
            boolean done =
                    positiveTarget >= 0 ? n + totals.rejected() >= positiveTarget : n + totals.rejected() >= target;
            if (target != Long.MAX_VALUE && done && !producer.isAlive()) {
                break;
            }
            if (app.streams().state() == org.apache.kafka.streams.KafkaStreams.State.ERROR) {
                stop.set(true);
                System.err.println("error: Kafka Streams failed; see the log above");
                return 1;
            }
        }
        stop.set(true);
        double seconds = (System.nanoTime() - start) / 1e9;
        ObjectNode o = Json.object();
        o.put("command", "demo");
        o.put("events", totals.events());
        o.put("rejected", totals.rejected());
        Json.put(o, "rmse", totals.rmse());
        Json.put(o, "mae", totals.mae());
        if (positives != null) {
            o.put("positives", totals.trained());
            o.put("evaluated", totals.ranked());
            Json.put(o, "recall_at_10", totals.recall());
        }
        if (frozenRanking != null) {
            PrequentialRanking.Metrics m = frozenRanking.metrics();
            o.put("frozen_evaluated", m.evaluated());
            Json.put(o, "frozen_recall_at_10", m.recall());
            System.out.printf(
                    "fine-tuned recall@10 %.4f (sampled, %,d events ranked) vs frozen pretrained model %.4f (%,d)%n",
                    totals.recall(), totals.ranked(), m.recall(), m.evaluated());
        } else if (frozen != null) {
            Json.put(o, "frozen_rmse", frozenError.rmse());
            Json.put(o, "frozen_mae", frozenError.mae());
            Json.put(o, "offline_rmse", offlineRmse);
            System.out.printf(
                    "fine-tuned prequential RMSE %.4f vs frozen pretrained model %.4f on the same %,d events"
                            + " (offline per-event fine-tuning from the same snapshot: %.4f)%n",
                    totals.rmse(), frozenError.rmse(), frozenError.count(), offlineRmse);
        }
        if (served != null) {
            served.summary(o, kind, !noGate);
        }
        Json.put(o, "seconds", seconds);
        Json.put(o, "events_per_second", (positives == null ? totals.events() : totals.trained()) / seconds);
        System.out.println(o);
        return 0;
    }

    private static void deleteRecursively(Path dir) {
        try {
            io.streamrec.kafka.TempDirs.deleteRecursively(dir);
        } catch (java.io.UncheckedIOException e) {
            System.err.println("warning: could not remove " + dir + ": " + e.getMessage());
        }
    }
}
