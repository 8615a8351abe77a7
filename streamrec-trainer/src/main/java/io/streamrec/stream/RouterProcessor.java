package io.streamrec.stream;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/**
 * First stop of every input event: parses and validates it, sends what cannot be trained to the dead-letter
 * topic (original key, value and headers, plus the reason), passes an event straight to the user trainer of this
 * task when this task owns its user, and re-keys the others by user id through {@link Topics#USER_EVENTS}.
 *
 * <p>Ownership is decided by the partition the user id hashes to in {@code user-events}
 * ({@link StreamTopology#partitionOf}), never by the record's key: a producer may key by user and still place
 * the record elsewhere (librdkafka's default partitioner hashes with CRC32, not murmur2), or the input topic may
 * have another partition count. Trusting the key let two tasks train and publish the same user's row.
 */
final class RouterProcessor implements Processor<byte[], byte[], Object, Object> {
    static final String REASON_HEADER = "streamrec.dlq.reason";
    static final String DETAIL_HEADER = "streamrec.dlq.detail";

    private final EventParser parser;
    private final TrainerListener listener;
    private final int userPartitions;
    private ProcessorContext<Object, Object> context;
    private int partition;

    RouterProcessor(EventParser parser, TrainerListener listener, int userPartitions) {
        this.parser = parser;
        this.listener = listener;
        this.userPartitions = userPartitions;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.partition = context.taskId().partition();
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        EventParser.Result r = parser.parse(record.value(), record.timestamp());
        if (!r.ok()) {
            Headers h = new RecordHeaders(record.headers().toArray());
            h.add(REASON_HEADER, r.reason().getBytes(StandardCharsets.UTF_8));
            h.add(DETAIL_HEADER, r.detail().getBytes(StandardCharsets.UTF_8));
            context.recordMetadata().ifPresent(m -> {
                h.add("streamrec.dlq.topic", m.topic().getBytes(StandardCharsets.UTF_8));
                h.add("streamrec.dlq.partition", String.valueOf(m.partition()).getBytes(StandardCharsets.UTF_8));
                h.add("streamrec.dlq.offset", String.valueOf(m.offset()).getBytes(StandardCharsets.UTF_8));
            });
            context.forward(
                    new Record<Object, Object>(record.key(), record.value(), record.timestamp(), h),
                    StreamTopology.DLQ_SINK);
            listener.eventRejected(r.reason());
            return;
        }
        Event e = r.event();
        if (StreamTopology.partitionOf(e.user(), userPartitions) == partition) {
            context.forward(new Record<Object, Object>(e.user(), e, record.timestamp()), StreamTopology.USER_TRAINER);
        } else {
            context.forward(
                    new Record<Object, Object>(e.user(), Codecs.encodeEvent(e), record.timestamp()),
                    StreamTopology.USER_EVENTS_SINK);
        }
    }
}
