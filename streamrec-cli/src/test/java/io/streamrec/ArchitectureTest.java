package io.streamrec;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideOutsideOfPackages;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The maths knows no Kafka: data, learn and eval are plain Java that the offline tools and the stream share.
 * The model-updates contract ({@code model}) knows neither Kafka nor the learner, and the client sees no Kafka Streams,
 * no broker and no Micrometer. The Maven modules enforce the same with their dependencies; this test also catches a
 * class put in the wrong package. It lives in the CLI module, whose test class path holds every module.
 * Plain JUnit tests calling {@code check} rather than {@code @ArchTest} fields, so that surefire's {@code -Dtest}
 * filters select them like any other test (the ArchUnit engine reported zero tests under such a filter).
 */
class ArchitectureTest {

    private static final String[] CORE = {"io.streamrec.data..", "io.streamrec.learn..", "io.streamrec.eval.."};
    private static final String MODEL = "io.streamrec.model..";
    private static final String CLIENT = "io.streamrec.client..";

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        // Test classes also come as the trainer's test jar (the CLI's tests reuse its harness).
        classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("io.streamrec");
        assertTrue(classes.contain("io.streamrec.learn.Model"), "the production classes were imported");
    }

    @Test
    void coreShouldNotDependOnKafkaOrMicrometer() {
        noClasses()
                .that()
                .resideInAnyPackage(CORE)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.kafka..", "io.micrometer..")
                .because("the learning core runs offline (evaluate, pretrain) as well as inside the stream processors")
                .check(classes);
    }

    @Test
    void coreShouldNotDependOnTheRestOfStreamrec() {
        String[] coreAndModel = {CORE[0], CORE[1], CORE[2], MODEL};
        noClasses()
                .that()
                .resideInAnyPackage(CORE)
                .should()
                .dependOnClassesThat(resideInAPackage("io.streamrec..").and(resideOutsideOfPackages(coreAndModel)))
                .because(
                        "data, learn and eval must not reach into the stream, metrics or CLI layers (the model contract is below them)")
                .check(classes);
    }

    @Test
    void modelContractShouldDependOnNothingButJacksonAndTheJdk() {
        noClasses()
                .that()
                .resideInAPackage(MODEL)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage("org.apache.kafka..", "kafka..", "io.micrometer..")
                .orShould()
                .dependOnClassesThat(resideInAPackage("io.streamrec..").and(resideOutsideOfPackages(MODEL)))
                .because("downstream services read model-updates with it, and the learner writes with it")
                .check(classes);
    }

    @Test
    void clientShouldSeeNoStreamsNoBrokerAndNoTrainer() {
        noClasses()
                .that()
                .resideInAPackage(CLIENT)
                .should()
                .dependOnClassesThat()
                .resideInAnyPackage(
                        "org.apache.kafka.streams..",
                        "kafka..",
                        "scala..",
                        "org.rocksdb..",
                        "io.micrometer..",
                        "org.apache.logging..")
                .orShould()
                .dependOnClassesThat(resideInAPackage("io.streamrec..").and(resideOutsideOfPackages(CLIENT, MODEL)))
                .because("ModelClient ships to downstream services with kafka-clients, Jackson and slf4j-api only")
                .check(classes);
    }
}
