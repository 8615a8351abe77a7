package io.streamrec.stream;

import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * The benchmark's ceiling: parses and validates each event exactly as the trainer's router does, and forwards it
 * unchanged to an output topic. Everything the training topology adds (state stores, gradients, publishing) is
 * absent, so its throughput over the same events bounds the trainer's. Its output becomes visible as often as the
 * trainer's rows: a commit after each {@code flush.interval.ms} (see {@link FlushPunctuation}).
 */
public final class PassthroughTopology {
    public static final String OUTPUT = "passthrough-out";
    /** Its own input topic, so that it can run beside a trainer that reads {@code interactions}. */
    public static final String INPUT = "passthrough-in";

    private PassthroughTopology() {}

    public static Topology build(TrainerConfig config, LongAdder processed) {
        var hyper = config.hyperparameters();
        EventParser parser = new EventParser(hyper.minLabel(), hyper.maxLabel());
        Topology t = new Topology();
        t.addSource("source", new ByteArrayDeserializer(), new ByteArrayDeserializer(), INPUT);
        t.addProcessor(
                "parse",
                () -> new Processor<byte[], byte[], byte[], byte[]>() {
                    private ProcessorContext<byte[], byte[]> context;

                    @Override
                    public void init(ProcessorContext<byte[], byte[]> context) {
                        this.context = context;
                        // Commits on the trainer's schedule, so that both pay the same commits per second.
                        FlushPunctuation.schedule(context, config.flushIntervalMs(), () -> {});
                    }

                    @Override
                    public void process(Record<byte[], byte[]> record) {
                        if (parser.parse(record.value(), record.timestamp()).ok()) {
                            context.forward(record);
                        }
                        processed.increment();
                    }
                },
                "source");
        t.addSink("sink", OUTPUT, new ByteArraySerializer(), new ByteArraySerializer(), "parse");
        return t;
    }
}
