package io.streamrec.kafka;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link KafkaTestBroker} parameter backed by one {@link EmbeddedKafka} that all test classes
 * of the run share: a broker start costs a few seconds, and CI has two cores. The broker lives in the
 * root extension store, which closes it (and deletes its log dir) when the run ends.
 *
 * <p>Tests that need their own broker settings (partition count, a broker they stop) start an
 * {@link EmbeddedKafka} themselves.
 */
public final class EmbeddedKafkaExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
            ExtensionContext.Namespace.create(EmbeddedKafkaExtension.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == KafkaTestBroker.class;
    }

    @Override
    public KafkaTestBroker resolveParameter(ParameterContext parameter, ExtensionContext context) {
        EmbeddedKafka kafka = context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent("shared-broker", key -> new EmbeddedKafka().start(), EmbeddedKafka.class);
        return kafka::bootstrapServers;
    }
}
