package io.streamrec.stream;

import static io.streamrec.stream.StreamFixtures.event;
import static io.streamrec.stream.StreamFixtures.str;
import static io.streamrec.stream.StreamFixtures.utf8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.TaskId;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.MockProcessorContext.CapturedForward;
import org.apache.kafka.streams.processor.api.Record;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The router alone: where each input record goes, and what it carries there. */
class RouterProcessorTest {
    private static final int PARTITIONS = 4;
    /** The task that owns user 196, and one that does not. */
    private static final int OWNER = StreamTopology.partitionOf("196", PARTITIONS);

    private static final int OTHER = (OWNER + 1) % PARTITIONS;

    private final RecordingListener listener = new RecordingListener();
    private MockProcessorContext<Object, Object> context;
    private RouterProcessor router;

    @BeforeEach
    void init() {
        onTask(OWNER);
    }

    private void onTask(int partition) {
        context = new MockProcessorContext<>(new Properties(), new TaskId(0, partition), null);
        context.setRecordMetadata(Topics.INTERACTIONS, 3, 1234L);
        router = new RouterProcessor(new EventParser(1, 5), listener, PARTITIONS);
        router.init(context);
    }

    private CapturedForward<?, ?> only() {
        List<CapturedForward<?, ?>> f = context.forwarded();
        assertEquals(1, f.size());
        return f.get(0);
    }

    @Test
    void shouldPassAnEventKeyedByItsUserStraightToTheTrainerAsAnEvent() {
        router.process(new Record<>(utf8("196"), event("196", "242", 3), 50L));
        CapturedForward<?, ?> f = only();
        assertEquals(Optional.of(StreamTopology.USER_TRAINER), f.childName());
        assertEquals("196", f.record().key());
        assertEquals(
                new Event("196", "242", 3f, 1f, 50L, 50L),
                assertInstanceOf(Event.class, f.record().value()));
        assertEquals(50L, f.record().timestamp());
        assertTrue(listener.rejected.isEmpty());
    }

    @Test
    void shouldPassAnEventOfAUserThisTaskOwnsStraightToTheTrainerWhateverItsKey() {
        router.process(new Record<>(utf8("another key"), event("196", "242", 3), 50L));
        router.process(new Record<>(null, event("196", "242", 3), 51L));
        assertEquals(
                List.of(Optional.of(StreamTopology.USER_TRAINER), Optional.of(StreamTopology.USER_TRAINER)),
                context.forwarded().stream().map(CapturedForward::childName).toList());
    }

    @Test
    void shouldRekeyAnEventKeyedByItsUserThatArrivedOnAnotherUsersPartition() {
        // A librdkafka producer keys by user but picks the partition with CRC32: the key is right, the task is not.
        onTask(OTHER);
        router.process(new Record<>(utf8("196"), event("196", "242", 3), 50L));
        CapturedForward<?, ?> f = only();
        assertEquals(Optional.of(StreamTopology.USER_EVENTS_SINK), f.childName());
        assertEquals("196", f.record().key());
    }

    @Test
    void shouldRekeyAnEventOfAUserThisTaskDoesNotOwnThroughUserEventsAsBytes() {
        onTask(OTHER);
        router.process(new Record<>(utf8("19"), event("196", "242", 3), 50L));
        CapturedForward<?, ?> f = only();
        assertEquals(Optional.of(StreamTopology.USER_EVENTS_SINK), f.childName());
        assertEquals("196", f.record().key());
        assertEquals(new Event("196", "242", 3f, 1f, 50L, 50L), Codecs.decodeEvent((byte[])
                f.record().value()));
    }

    @Test
    void shouldRekeyAnEventWithoutKeyOfAUserThisTaskDoesNotOwn() {
        onTask(OTHER);
        router.process(new Record<>(null, event("196", "242", 3), 50L));
        assertEquals(Optional.of(StreamTopology.USER_EVENTS_SINK), only().childName());
    }

    @Test
    void shouldSendAMalformedEventToTheDlqWithOriginalBytesHeadersReasonAndOrigin() {
        RecordHeaders h = new RecordHeaders();
        h.add("trace-id", utf8("t1"));
        byte[] key = {(byte) 0xff, 0, 1};
        byte[] value = utf8("{\"user\":\"u\",\"item\":\"i\",\"label\":7}");
        router.process(new Record<>(key, value, 50L, h));
        CapturedForward<?, ?> f = only();
        assertEquals(Optional.of(StreamTopology.DLQ_SINK), f.childName());
        assertArrayEquals(key, (byte[]) f.record().key());
        assertArrayEquals(value, (byte[]) f.record().value());
        assertEquals(50L, f.record().timestamp());
        var out = f.record().headers();
        assertEquals("t1", str(out.lastHeader("trace-id").value()));
        assertEquals(
                EventParser.LABEL_OUT_OF_RANGE,
                str(out.lastHeader(RouterProcessor.REASON_HEADER).value()));
        assertTrue(str(out.lastHeader(RouterProcessor.DETAIL_HEADER).value()).contains("7.0"));
        assertEquals(
                Topics.INTERACTIONS, str(out.lastHeader("streamrec.dlq.topic").value()));
        assertEquals("3", str(out.lastHeader("streamrec.dlq.partition").value()));
        assertEquals("1234", str(out.lastHeader("streamrec.dlq.offset").value()));
        assertEquals(1, h.toArray().length, "the input record's headers are not modified");
        assertEquals(List.of(EventParser.LABEL_OUT_OF_RANGE), listener.rejected);
        assertEquals(0, listener.trained.get(), "the router does not count trained events; the trainer does");
    }
}
