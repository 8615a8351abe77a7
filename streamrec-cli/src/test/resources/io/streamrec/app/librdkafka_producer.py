"""Produces key<TAB>value lines from stdin with librdkafka (confluent_kafka), as a non-Java user's producer would.

librdkafka's default partitioner (consistent_random: CRC32 of the key) is kept on purpose: a record keyed by a user
lands on another partition than the Java client's murmur2 would choose. An empty key is sent as no key. The producer
is idempotent and retries through broker restarts; at the end it prints one JSON line with what was delivered and
what failed (with the values of the failed messages, so that the caller can tell which events are missing), and
exits 1 if anything failed.
usage: librdkafka_producer.py BOOTSTRAP TOPIC
"""
import json
import sys

from confluent_kafka import KafkaException, Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
producer = Producer({
    "bootstrap.servers": bootstrap,
    "enable.idempotence": True,
    "linger.ms": 5,
    "message.timeout.ms": 300000,
})
counts = {"sent": 0, "delivered": 0, "failed": 0}
errors = []
failed_values = []


def on_delivery(err, msg):
    if err is None:
        counts["delivered"] += 1
    else:
        counts["failed"] += 1
        failed_values.append(msg.value().decode("utf-8"))
        if len(errors) < 5:
            errors.append(str(err))


for line in sys.stdin:
    key, _, value = line.rstrip("\n").partition("\t")
    while True:
        try:
            producer.produce(topic, value=value.encode("utf-8"), key=key.encode("utf-8") if key else None,
                             on_delivery=on_delivery)
            break
        except BufferError:
            producer.poll(0.1)
        except KafkaException as e:
            # A fatal producer error (librdkafka's idempotence gives up after some broker crashes): count the
            # message as not delivered, as a callback would, and go on.
            counts["failed"] += 1
            failed_values.append(value)
            if len(errors) < 5:
                errors.append(str(e))
            break
    counts["sent"] += 1
    producer.poll(0)

remaining = producer.flush(300)
counts["undelivered"] = remaining
counts["errors"] = errors
counts["failed_values"] = failed_values
print(json.dumps(counts), flush=True)
sys.exit(0 if counts["failed"] == 0 and remaining == 0 else 1)
