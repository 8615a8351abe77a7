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
 * Plain JUnit tests calling {@code check} rather than {@code @ArchTest} fields, so that surefire's {@code -Dtest}
 * filters select them like any other test (the ArchUnit engine reported zero tests under such a filter).
 */
class ArchitectureTest {

    private static final String[] CORE = {"io.streamrec.data..", "io.streamrec.learn..", "io.streamrec.eval.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.streamrec");
        assertTrue(classes.contain("io.streamrec.learn.Model"), "the production classes were imported");
    }

    @Test
    void coreShouldNotDependOnKafkaOrMicrometer() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat().resideInAnyPackage("org.apache.kafka..", "io.micrometer..")
                .because("the learning core runs offline (evaluate, pretrain) as well as inside the stream processors")
                .check(classes);
    }

    @Test
    void coreShouldNotDependOnTheRestOfStreamrec() {
        noClasses().that().resideInAnyPackage(CORE)
                .should().dependOnClassesThat(resideInAPackage("io.streamrec..").and(resideOutsideOfPackages(CORE)))
                .because("data, learn and eval must not reach into the stream, metrics or CLI layers")
                .check(classes);
    }
}
