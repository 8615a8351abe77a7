package io.streamrec.app;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Samples, every 200 ms, the sum of a consumer group's committed offsets on one topic: the application's committed
 * progress on its input, as an operator watching {@code kafka-consumer-groups} sees it. Samples fail while the broker
 * is down and are skipped.
 */
final class CommittedProgress implements AutoCloseable {
    private static final long PERIOD_MS = 200;

    private final Admin admin;
    private final String group;
    private final String topic;
    private final Thread sampler;
    /** (nanoTime, committed sum) pairs, in time order. */
    private final List<long[]> samples = new ArrayList<>();

    CommittedProgress(String bootstrap, String group, String topic) {
        this.admin = Admin.create(Map.of(
                AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrap,
                AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
                "2000",
                AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
                "1500"));
        this.group = group;
        this.topic = topic;
        this.sampler = new Thread(this::sample, "committed-progress");
        sampler.setDaemon(true);
    }

    static boolean topicExists(String bootstrap, String topic) {
        try (Admin a = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            return a.listTopics().names().get(10, TimeUnit.SECONDS).contains(topic);
        } catch (Exception e) {
            return false;
        }
    }

    CommittedProgress start() {
        sampler.start();
        return this;
    }

    private void sample() {
        while (!Thread.currentThread().isInterrupted()) {
            // The time the question was asked: an answer can only show commits made before it.
            long asked = System.nanoTime();
            try {
                Map<TopicPartition, OffsetAndMetadata> offsets = admin.listConsumerGroupOffsets(group)
                        .partitionsToOffsetAndMetadata()
                        .get(3, TimeUnit.SECONDS);
                long sum = offsets.entrySet().stream()
                        .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
                        .mapToLong(e -> e.getValue().offset())
                        .sum();
                synchronized (samples) {
                    samples.add(new long[] {asked, sum});
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception brokerDown) {
                // no sample this time
            }
            try {
                Thread.sleep(PERIOD_MS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The time of the first sample asked after {@code t} whose sum exceeds that of the first sample asked after
     * {@code t}, or -1. The baseline is read after {@code t}, not before: a commit made between the last sample and a
     * kill is not progress after it.
     */
    long firstProgressAfter(long t) {
        synchronized (samples) {
            long baseline = -1;
            for (long[] s : samples) {
                if (s[0] < t) {
                    continue;
                }
                if (baseline < 0) {
                    baseline = s[1];
                } else if (s[1] > baseline) {
                    return s[0];
                }
            }
            return -1;
        }
    }

    /** The longest time between two successive increases of the committed sum within [from, to]. */
    long longestStall(long from, long to) {
        synchronized (samples) {
            long longest = 0;
            long lastIncrease = from;
            long max = 0;
            for (long[] s : samples) {
                if (s[0] <= from) {
                    max = Math.max(max, s[1]);
                    continue;
                }
                if (s[0] > to) {
                    break;
                }
                if (s[1] > max) {
                    longest = Math.max(longest, s[0] - lastIncrease);
                    lastIncrease = s[0];
                    max = s[1];
                }
            }
            return Math.max(longest, to - lastIncrease);
        }
    }

    @Override
    public void close() throws InterruptedException {
        sampler.interrupt();
        sampler.join(5_000);
        admin.close();
    }
}
