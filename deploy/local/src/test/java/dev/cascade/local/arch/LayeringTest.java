package dev.cascade.local.arch;

import static org.assertj.core.api.Assertions.assertThat;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The module layering of docs/ARCHITECTURE.md, held by the build: the contract and the pure cascade logic stay free
 * of Kafka Streams, HTTP and Micrometer; the offline tools and the services do not reach into each other; no
 * package cycles within a module. Runs on the production classes of every module (from the module jars when the
 * reactor has packaged them; a shaded jar's copies of shared classes are the same classes).
 */
class LayeringTest {
    private static final String[] RUNTIME_ONLY = {"org.apache.kafka.streams..", "java.net.http..",
            "com.sun.net.httpserver..", "io.micrometer..", "io.github.resilience4j.."};

    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.cascade");
    }

    @Test
    void shouldHaveImportedEveryModule() {
        for (String pkg : new String[]{"dev.cascade.events", "dev.cascade.core", "dev.cascade.ctl",
                "dev.cascade.router", "dev.cascade.ledger", "dev.cascade.live", "dev.cascade.simulator",
                "dev.cascade.gateway"}) {
            assertThat(classes.containPackage(pkg)).as(pkg).isTrue();
        }
    }

    @Test
    void contractShouldImportNoRuntime() {
        check(noClasses().that().resideInAPackage("dev.cascade.events..")
                .should().dependOnClassesThat().resideInAnyPackage(RUNTIME_ONLY)
                .orShould().dependOnClassesThat(resideInAPackage("dev.cascade..")
                        .and(not(resideInAPackage("dev.cascade.events..")))));
    }

    @Test
    void pureCascadeLogicShouldImportNoKafkaHttpOrMicrometer() {
        check(noClasses().that().resideInAPackage("dev.cascade.core..")
                .should().dependOnClassesThat().resideInAnyPackage(RUNTIME_ONLY)
                .orShould().dependOnClassesThat().resideInAPackage("org.apache.kafka.."));
    }

    @Test
    void pureCascadeLogicShouldUseOnlyTheContract() {
        check(noClasses().that().resideInAPackage("dev.cascade.core..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.cascade.router..", "dev.cascade.ledger..",
                        "dev.cascade.ctl..", "dev.cascade.live..", "dev.cascade.simulator..",
                        "dev.cascade.gateway.."));
    }

    @Test
    void offlineToolsShouldNotDependOnTheServices() {
        check(noClasses().that().resideInAPackage("dev.cascade.ctl..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.cascade.router..", "dev.cascade.ledger..",
                        "dev.cascade.simulator..", "dev.cascade.gateway..", "org.apache.kafka.streams..",
                        "io.micrometer.."));
    }

    @Test
    void servicesShouldNotDependOnEachOther() {
        check(noClasses().that().resideInAPackage("dev.cascade.router..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.cascade.ledger..", "dev.cascade.ctl..",
                        "dev.cascade.simulator..", "dev.cascade.gateway.."));
        check(noClasses().that().resideInAPackage("dev.cascade.ledger..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.cascade.router..", "dev.cascade.ctl..",
                        "dev.cascade.simulator..", "dev.cascade.gateway.."));
        // the gateway speaks only the contract: topics in, topics out; it runs no Kafka Streams
        check(noClasses().that().resideInAPackage("dev.cascade.gateway..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.cascade.router..", "dev.cascade.ledger..",
                        "dev.cascade.ctl..", "dev.cascade.simulator..", "dev.cascade.core..", "dev.cascade.live..",
                        "dev.cascade.service..", "org.apache.kafka.streams.."));
    }

    @Test
    void ledgerMetricsShouldNotReadQueries() {
        check(noClasses().that().resideInAPackage("dev.cascade.ledger.metrics..")
                .should().dependOnClassesThat().resideInAPackage("dev.cascade.ledger.query.."));
    }

    @Test
    void shouldHaveNoPackageCycleInAnyModule() {
        for (String module : new String[]{"router", "ledger", "ctl", "core", "events", "live", "simulator",
                "gateway"}) {
            check(slices().matching("dev.cascade." + module + ".(*)..").should().beFreeOfCycles()
                    .allowEmptyShould(true));
        }
    }

    private static void check(ArchRule rule) {
        rule.check(classes);
    }
}
