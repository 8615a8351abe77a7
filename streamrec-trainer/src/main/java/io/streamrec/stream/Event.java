package io.streamrec.stream;

/**
 * A validated event on its way through the topology.
 *
 * @param user       user id
 * @param item       item id
 * @param label      finite label within the model's range
 * @param weight     importance weight, finite and >= 0
 * @param eventTime  the event's own time (the JSON {@code timestamp}, else the record timestamp), epoch ms
 * @param ingestTime the input record's Kafka timestamp, epoch ms: where publish latency is measured from
 */
public record Event(String user, String item, float label, float weight, long eventTime, long ingestTime) {}
