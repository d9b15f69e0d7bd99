"""Drives python3-confluent-kafka (Debian 1.7.0 on librdkafka 2.0.2) for tests/compat.

Usage: /usr/bin/python3 confluent_client.py COMMAND JSON_ARGUMENTS
Records come from / go to files of JSON lines, results are one JSON document on stdout, and any
failure exits non-zero with the error on stderr (quoted in compat reports).
"""
import json
import sys
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, ConfigResource, NewTopic

TIMEOUT_S = 60


def admin(args):
    return AdminClient({"bootstrap.servers": args["bootstrap"]})


def wait_all(client, futures):
    # `client` is passed only to keep the AdminClient alive until its futures complete: a
    # collected client is destroyed and fails them with _DESTROY.
    for future in futures.values():
        future.result(timeout=TIMEOUT_S)
    del client


def metadata(args):
    cluster = admin(args).list_topics(timeout=TIMEOUT_S)
    return {
        "brokers": [{"nodeId": b.id, "host": b.host, "port": b.port} for b in cluster.brokers.values()],
        "topics": [{"name": t.topic, "partitions": len(t.partitions)} for t in cluster.topics.values()],
    }


def create_topic(args):
    client = admin(args)
    wait_all(client, client.create_topics([NewTopic(args["topic"], args["partitions"], 1)], operation_timeout=TIMEOUT_S))
    return {}


def delete_topic(args):
    client = admin(args)
    wait_all(client, client.delete_topics([args["topic"]], operation_timeout=TIMEOUT_S))
    return {}


def produce(args):
    config = {
        "bootstrap.servers": args["bootstrap"],
        "compression.type": args["compression"],
        "linger.ms": 5,
        "message.timeout.ms": 30000,
        "sticky.partitioning.linger.ms": 0,
        "enable.idempotence": bool(args.get("idempotent")),
        "queue.buffering.max.messages": 1000000,
    }
    producer = Producer(config)
    failures = []

    def delivered(error, _message):
        if error is not None and len(failures) < 10:
            failures.append(str(error))

    with open(args["recordsFile"], encoding="utf-8") as records:
        for line in records:
            record = json.loads(line)
            while True:
                try:
                    producer.produce(args["topic"], key=record["key"], value=record["value"], on_delivery=delivered)
                    break
                except BufferError:
                    producer.poll(0.05)
            producer.poll(0)
    remaining = producer.flush(TIMEOUT_S)
    if remaining or failures:
        raise RuntimeError(f"{remaining} undelivered, failures: {failures}")
    return {}


def produce_transactions(args):
    producer = Producer({
        "bootstrap.servers": args["bootstrap"],
        "transactional.id": args["transactionalId"],
        "linger.ms": 5,
        "message.timeout.ms": 30000,
    })
    producer.init_transactions(TIMEOUT_S)
    for transaction in args["transactions"]:
        producer.begin_transaction()
        with open(transaction["recordsFile"], encoding="utf-8") as records:
            for line in records:
                record = json.loads(line)
                producer.produce(args["topic"], key=record["key"], value=record["value"])
                producer.poll(0)
        if transaction["commit"]:
            producer.commit_transaction(TIMEOUT_S)
        else:
            producer.flush(TIMEOUT_S)  # the records reach the log, so the abort marker matters
            producer.abort_transaction(TIMEOUT_S)
    return {}


def consume(args):
    config = {
        "bootstrap.servers": args["bootstrap"],
        "group.id": args.get("group") or "compat-unused-group",
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 6000,
        "isolation.level": "read_committed",
    }
    consumer = Consumer(config)
    if args.get("group"):
        consumer.subscribe([args["topic"]])
    else:
        cluster = consumer.list_topics(args["topic"], timeout=TIMEOUT_S)
        partitions = cluster.topics[args["topic"]].partitions
        consumer.assign([TopicPartition(args["topic"], p, -2) for p in partitions])
    count, deadline = 0, time.time() + TIMEOUT_S * 2
    with open(args["outFile"], "w", encoding="utf-8") as out:
        while count < args["count"] and time.time() < deadline:
            for message in consumer.consume(10000, 1.0):
                if message.error():
                    raise KafkaException(message.error())
                out.write(json.dumps({
                    "partition": message.partition(), "offset": message.offset(),
                    "key": (message.key() or b"").decode(), "value": (message.value() or b"").decode(),
                    "timestampMs": message.timestamp()[1],
                }) + "\n")
                count += 1
    if args.get("group") and args.get("commit") and count > 0:
        consumer.commit(asynchronous=False)
    consumer.close()
    return {"count": count}


def offsets_for_times(args):
    consumer = Consumer({"bootstrap.servers": args["bootstrap"], "group.id": "compat-unused-group"})
    wanted = [TopicPartition(args["topic"], p, args["timestampMs"]) for p in range(args["partitions"])]
    found = consumer.offsets_for_times(wanted, timeout=TIMEOUT_S)
    consumer.close()
    for tp in found:
        if tp.error is not None:
            raise KafkaException(tp.error)
    return {str(tp.partition): tp.offset for tp in found}


def describe_configs(args):
    resource = ConfigResource("topic", args["topic"])
    client = admin(args)
    futures = client.describe_configs([resource], request_timeout=TIMEOUT_S)
    entries = futures[resource].result(timeout=TIMEOUT_S)
    return {name: entry.value for name, entry in entries.items()}


def alter_configs(args):
    resource = ConfigResource("topic", args["topic"], set_config=args["configs"])
    client = admin(args)
    wait_all(client, client.alter_configs([resource], request_timeout=TIMEOUT_S))
    return {}


COMMANDS = {
    "metadata": metadata, "create-topic": create_topic, "delete-topic": delete_topic,
    "produce": produce, "produce-transactions": produce_transactions, "consume": consume, "offsets-for-times": offsets_for_times,
    "describe-configs": describe_configs, "alter-configs": alter_configs,
}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))))
