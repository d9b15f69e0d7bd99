# Consume-transform-produce with exactly-once semantics (librdkafka through confluent_kafka),
# driven by eos-confluent.test.ts. argv: bootstrap, record count. Every third transaction is
# aborted and its input re-read; then a second producer with the same transactional.id fences
# the first. Prints one JSON line with what happened.
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition

bootstrap, total = sys.argv[1], int(sys.argv[2])
common = {'bootstrap.servers': bootstrap, 'socket.timeout.ms': 10000}

consumer = Consumer({**common, 'group.id': 'eos-group', 'enable.auto.commit': False, 'auto.offset.reset': 'earliest',
                     'isolation.level': 'read_committed', 'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500})
producer = Producer({**common, 'transactional.id': 'eos-transform', 'transaction.timeout.ms': 20000, 'linger.ms': 5})
producer.init_transactions(20)
consumer.subscribe(['eos-input'])

committed_transactions = 0
aborted_transactions = 0
processed = 0
transaction = 0
while processed < total:
    messages = [message for message in consumer.consume(num_messages=7, timeout=1.0) if message.error() is None]
    if not messages:
        continue
    producer.begin_transaction()
    for message in messages:
        producer.produce('eos-output', key=message.key(), value=b'T:' + message.value(), partition=message.partition())
    positions = consumer.position(consumer.assignment())
    producer.send_offsets_to_transaction(positions, consumer.consumer_group_metadata(), 20)
    transaction += 1
    if transaction % 3 == 0:
        producer.abort_transaction(20)
        aborted_transactions += 1
        first_offsets = {}
        for message in messages:
            first_offsets.setdefault(message.partition(), message.offset())
        for partition, offset in first_offsets.items():
            consumer.seek(TopicPartition('eos-input', partition, offset))
    else:
        producer.commit_transaction(20)
        committed_transactions += 1
        processed += len(messages)

consumer.close()

# Fencing: a second producer with the same transactional.id takes over.
producer.begin_transaction()
producer.produce('eos-output', value=b'zombie', partition=0)
producer.flush(10)
successor = Producer({**common, 'transactional.id': 'eos-transform', 'transaction.timeout.ms': 20000})
successor.init_transactions(20)
fenced_error = None
try:
    producer.commit_transaction(20)
except KafkaException as exception:
    fenced_error = exception.args[0].name()
successor.begin_transaction()
successor.produce('eos-output', value=b'successor', partition=1)
successor.commit_transaction(20)

print(json.dumps({'processed': processed, 'committed': committed_transactions, 'aborted': aborted_transactions, 'fencedError': fenced_error}))
