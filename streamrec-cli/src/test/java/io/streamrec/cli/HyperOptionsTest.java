package io.streamrec.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.streamrec.learn.Hyperparameters;
import io.streamrec.learn.LearningRateSchedule;
import io.streamrec.model.ModelKind;
import io.streamrec.stream.TrainerConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The offline commands' model flags and run's model settings build the same hyper-parameters. */
class HyperOptionsTest {
    private static Hyperparameters flags(String... args) {
        HyperOptions o = new HyperOptions();
        new CommandLine(o).parseArgs(args);
        return o.online();
    }

    private static Hyperparameters run(String... keyValues) {
        Map<String, String> m = new java.util.HashMap<>(Map.of(TrainerConfig.BOOTSTRAP_SERVERS, "b:9092"));
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return TrainerConfig.of(m).hyperparameters();
    }

    @Test
    void shouldHaveTheSameOnlineDefaultsForEvaluateAndRun() {
        assertEquals(Hyperparameters.defaults(ModelKind.BIASED_MF), flags());
        assertEquals(flags(), run());
        assertEquals(flags("--model", "logistic-mf"), run(TrainerConfig.MODEL_KIND, "logistic-mf"));
    }

    @Test
    void shouldSetEveryModelSettingTheSameWayFromFlagsAndFromRunsConfiguration() {
        Hyperparameters offline = flags(
                "--factors",
                "8",
                "--optimizer",
                "adam",
                "--learning-rate",
                "0.02",
                "--schedule",
                "inverse-scaling",
                "--schedule-power",
                "0.25",
                "--schedule-scale",
                "5000",
                "--reg-bias",
                "0.01",
                "--reg-factors",
                "0.02",
                "--clip-norm",
                "3",
                "--init-std",
                "0.1",
                "--seed",
                "7",
                "--min-label",
                "0",
                "--max-label",
                "10");
        Hyperparameters online = run(
                TrainerConfig.FACTORS,
                "8",
                TrainerConfig.OPTIMIZER,
                "adam",
                TrainerConfig.LEARNING_RATE,
                "0.02",
                TrainerConfig.SCHEDULE,
                "inverse-scaling",
                TrainerConfig.SCHEDULE_POWER,
                "0.25",
                TrainerConfig.SCHEDULE_SCALE,
                "5000",
                TrainerConfig.REG_BIAS,
                "0.01",
                TrainerConfig.REG_FACTORS,
                "0.02",
                TrainerConfig.CLIP_NORM,
                "3",
                TrainerConfig.INIT_STD,
                "0.1",
                TrainerConfig.SEED,
                "7",
                TrainerConfig.MIN_LABEL,
                "0",
                TrainerConfig.MAX_LABEL,
                "10");
        assertEquals(offline, online);
        assertEquals(new LearningRateSchedule.InverseScaling(0.02, 0.25, 5000), online.schedule());
    }

    @Test
    void shouldStartPretrainingFromItsOwnDefaults() {
        HyperOptions o = new HyperOptions();
        new CommandLine(o).parseArgs();
        assertEquals(Hyperparameters.pretrainDefaults(ModelKind.BIASED_MF), o.pretrain());
    }
}
