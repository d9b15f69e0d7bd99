"""Drives python3-kafka (kafka-python 2.0.2, pure Python, Debian) for tests/compat.

Same command protocol as confluent_client.py. Codecs: gzip is built in; snappy, lz4 and zstd
need python3-snappy, python3-lz4 and python3-zstandard (installed by .ci/setup-machine.sh).
"""
import json
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import ConfigResource, ConfigResourceType, NewTopic

TIMEOUT_S = 60


def admin(args):
    return KafkaAdminClient(bootstrap_servers=args["bootstrap"], request_timeout_ms=TIMEOUT_S * 1000)


def codecs(_args):
    from kafka import codec
    return {
        "gzip": codec.has_gzip(), "snappy": codec.has_snappy(),
        "lz4": codec.has_lz4(), "zstd": codec.has_zstd(),
    }


def metadata(args):
    consumer = KafkaConsumer(bootstrap_servers=args["bootstrap"])
    topics = consumer.topics()
    cluster = consumer._client.cluster
    result = {
        "brokers": [{"nodeId": b.nodeId, "host": b.host, "port": b.port} for b in cluster.brokers()],
        "topics": [{"name": t, "partitions": len(consumer.partitions_for_topic(t) or [])} for t in topics],
    }
    consumer.close()
    return result


def check_errors(response):
    for item in getattr(response, "topic_errors", []) or getattr(response, "topic_error_codes", []):
        if item[1] != 0:
            raise RuntimeError(f"topic {item[0]}: error {item[1:]}")


def create_topic(args):
    response = admin(args).create_topics([NewTopic(args["topic"], args["partitions"], 1)], timeout_ms=TIMEOUT_S * 1000)
    check_errors(response)
    return {}


def delete_topic(args):
    response = admin(args).delete_topics([args["topic"]], timeout_ms=TIMEOUT_S * 1000)
    check_errors(response)
    return {}


def produce(args):
    compression = None if args["compression"] == "none" else args["compression"]
    producer = KafkaProducer(bootstrap_servers=args["bootstrap"], compression_type=compression,
                             linger_ms=5, batch_size=64 * 1024, acks="all")
    futures = []
    with open(args["recordsFile"], encoding="utf-8") as records:
        for line in records:
            record = json.loads(line)
            futures.append(producer.send(args["topic"], key=record["key"].encode(), value=record["value"].encode()))
    producer.flush(TIMEOUT_S)
    for future in futures:
        future.get(timeout=TIMEOUT_S)
    producer.close()
    return {}


def consume(args):
    consumer = KafkaConsumer(bootstrap_servers=args["bootstrap"], group_id=args.get("group"),
                             auto_offset_reset="earliest", enable_auto_commit=False, session_timeout_ms=6000,
                             heartbeat_interval_ms=2000)
    if args.get("group"):
        consumer.subscribe([args["topic"]])
    else:
        partitions = [TopicPartition(args["topic"], p) for p in sorted(consumer.partitions_for_topic(args["topic"]) or [])]
        consumer.assign(partitions)
        consumer.seek_to_beginning(*partitions)
    count, deadline = 0, time.time() + TIMEOUT_S * 2
    with open(args["outFile"], "w", encoding="utf-8") as out:
        while count < args["count"] and time.time() < deadline:
            for messages in consumer.poll(timeout_ms=1000, max_records=10000).values():
                for message in messages:
                    out.write(json.dumps({
                        "partition": message.partition, "offset": message.offset,
                        "key": (message.key or b"").decode(), "value": (message.value or b"").decode(),
                        "timestampMs": message.timestamp,
                    }) + "\n")
                    count += 1
    if args.get("group") and args.get("commit") and count > 0:
        consumer.commit()
    consumer.close(autocommit=False)
    return {"count": count}


def offsets_for_times(args):
    consumer = KafkaConsumer(bootstrap_servers=args["bootstrap"])
    wanted = {TopicPartition(args["topic"], p): args["timestampMs"] for p in range(args["partitions"])}
    found = consumer.offsets_for_times(wanted)
    consumer.close()
    return {str(tp.partition): (-1 if found[tp] is None else found[tp].offset) for tp in wanted}


def describe_configs(args):
    responses = admin(args).describe_configs([ConfigResource(ConfigResourceType.TOPIC, args["topic"])])
    result = {}
    for response in responses:
        for error_code, error_message, _type, _name, entries in response.resources:
            if error_code != 0:
                raise RuntimeError(f"describe_configs error {error_code}: {error_message}")
            for entry in entries:
                result[entry[0]] = entry[1]
    return result


def alter_configs(args):
    response = admin(args).alter_configs([ConfigResource(ConfigResourceType.TOPIC, args["topic"], configs=args["configs"])])
    for error_code, error_message, _type, _name in response.resources:
        if error_code != 0:
            raise RuntimeError(f"alter_configs error {error_code}: {error_message}")
    return {}


COMMANDS = {
    "codecs": codecs, "metadata": metadata, "create-topic": create_topic, "delete-topic": delete_topic,
    "produce": produce, "consume": consume, "offsets-for-times": offsets_for_times,
    "describe-configs": describe_configs, "alter-configs": alter_configs,
}

if __name__ == "__main__":
    print(json.dumps(COMMANDS[sys.argv[1]](json.loads(sys.argv[2]))))
