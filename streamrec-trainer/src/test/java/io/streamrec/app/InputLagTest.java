package io.streamrec.app;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

/** Records waiting on the input, read from Kafka Streams' consumer metrics as the clients name them. */
class InputLagTest {
    private final Map<MetricName, Metric> metrics = new LinkedHashMap<>();

    private void metric(String group, String name, String client, String topic, String partition, Object value) {
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put("client-id", client);
        if (topic != null) {
            tags.put("topic", topic);
        }
        if (partition != null) {
            tags.put("partition", partition);
        }
        MetricName n = new MetricName(name, group, "", tags);
        metrics.put(n, new Metric() {
            @Override
            public MetricName metricName() {
                return n;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }

    private void lag(String client, String topic, int partition, double value) {
        metric(InputLag.GROUP, InputLag.RECORDS_LAG, client, topic, String.valueOf(partition), value);
    }

    @Test
    void shouldSumTheLagOfTheInputPartitionsOfEveryStreamThread() {
        lag("app-1-StreamThread-1-consumer", "interactions", 0, 700);
        lag("app-1-StreamThread-1-consumer", "interactions", 1, 0);
        lag("app-1-StreamThread-2-consumer", "interactions", 2, 500);
        assertEquals(1_200, InputLag.recordsWaiting(metrics, "interactions"));
    }

    @Test
    void shouldIgnoreOtherTopicsOtherConsumersAndTheClientWideMaximum() {
        lag("app-1-StreamThread-1-consumer", "interactions", 0, 10);
        lag("app-1-StreamThread-1-consumer", "user-events", 0, 1_000);
        lag("app-1-StreamThread-1-restore-consumer", "interactions", 0, 1_000);
        lag("app-1-global-consumer", "interactions", 0, 1_000);
        metric(InputLag.GROUP, "records-lag-max", "app-1-StreamThread-1-consumer", null, null, 1_000.0);
        metric(InputLag.GROUP, "records-lag-max", "app-1-StreamThread-1-consumer", "interactions", null, 1_000.0);
        metric("consumer-metrics", InputLag.RECORDS_LAG, "app-1-StreamThread-1-consumer", "interactions", "1", 1_000.0);
        assertEquals(10, InputLag.recordsWaiting(metrics, "interactions"));
    }

    @Test
    void shouldCountAnUnknownLagAsNothingWaiting() {
        lag("app-1-StreamThread-1-consumer", "interactions", 0, Double.NaN);
        metric(InputLag.GROUP, InputLag.RECORDS_LAG, "app-1-StreamThread-1-consumer", "interactions", "1", "n/a");
        assertEquals(0, InputLag.recordsWaiting(metrics, "interactions"));
        assertEquals(0, InputLag.recordsWaiting(Map.of(), "interactions"), "no metrics before the first fetch");
    }

    @Test
    void shouldCountAPartitionOnceWhenTheClientTagsItsDottedTopicBothWays() {
        lag("app-1-StreamThread-1-consumer", "my.events", 0, 40);
        lag("app-1-StreamThread-1-consumer", "my_events", 0, 40);
        lag("app-1-StreamThread-1-consumer", "my_events", 1, 2);
        assertEquals(42, InputLag.recordsWaiting(metrics, "my.events"));
    }
}
