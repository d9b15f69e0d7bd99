#!/usr/bin/python3
"""Golden record batches from a real client: librdkafka (python3-confluent-kafka) produces one
batch per codec to refbroker (librdkafka's mock cluster, which stores batches untouched); a raw
Fetch v4 request reads the batch bytes back and writes them to librdkafka-<codec>.bin here.

With --verify DIR, it also goes the other way: every ours-<codec>.bin in DIR (record batches
encoded by Tributary) is sent in a raw Produce v3 request, then consumed with librdkafka, and
the decoded records are printed as JSON lines (so librdkafka checks our compression framing).

Usage (Debian's python, where confluent_kafka imports):
  /usr/bin/python3 capture-librdkafka.py /tmp/refbroker [--verify DIR]
Build refbroker first: OUT=/tmp/refbroker /work/shared/tools/refbroker/build.sh
"""
import json
import os
import socket
import struct
import subprocess
import sys

from confluent_kafka import Consumer, Producer

CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd']
# Verified in the Tributary -> librdkafka direction only: Java-style xerial snappy framing.
VERIFY_EXTRA = ['snappy-xerial']
HERE = os.path.dirname(os.path.abspath(__file__))
BASE_TIMESTAMP_MS = 1_700_000_000_000


def expected_records():
    """The records produced for every codec (values compressible, one null value, headers)."""
    records = []
    for i in range(5):
        value = None if i == 3 else (f'value-{i} ' * 40).encode()
        headers = [('trace-id', f't-{i}'.encode()), ('empty', None)] if i % 2 == 0 else []
        records.append({'key': f'key-{i}'.encode(), 'value': value, 'headers': headers, 'timestamp': BASE_TIMESTAMP_MS + i})
    return records


def string(text):
    data = text.encode()
    return struct.pack('>h', len(data)) + data


def request(sock, api_key, api_version, body, correlation_id=1):
    header = struct.pack('>hhi', api_key, api_version, correlation_id) + string('golden-capture')
    frame = header + body
    sock.sendall(struct.pack('>i', len(frame)) + frame)
    size = struct.unpack('>i', read_exactly(sock, 4))[0]
    response = read_exactly(sock, size)
    assert struct.unpack('>i', response[:4])[0] == correlation_id
    return response[4:]


def read_exactly(sock, count):
    data = b''
    while len(data) < count:
        chunk = sock.recv(count - len(data))
        if not chunk:
            raise EOFError('broker closed the connection')
        data += chunk
    return data


def fetch_records(sock, topic):
    """Fetch v4, partition 0 from offset 0: returns the records bytes."""
    partitions = struct.pack('>i', 1) + struct.pack('>iqi', 0, 0, 1 << 20)
    topics = struct.pack('>i', 1) + string(topic) + partitions
    body = struct.pack('>iiiib', -1, 500, 1, 1 << 20, 0) + topics
    response = request(sock, 1, 4, body)
    position = 4 + 4  # throttle_time_ms, topics count
    (name_length,) = struct.unpack_from('>h', response, position)
    position += 2 + name_length + 4  # topic name, partitions count
    _partition, error_code, _high_watermark, _last_stable = struct.unpack_from('>ihqq', response, position)
    position += 4 + 2 + 8 + 8
    if error_code != 0:
        raise RuntimeError(f'fetch {topic}: error code {error_code}')
    (aborted,) = struct.unpack_from('>i', response, position)
    position += 4 + max(0, aborted) * 16
    (records_length,) = struct.unpack_from('>i', response, position)
    return response[position + 4:position + 4 + records_length]


def produce_raw(sock, topic, records):
    """Produce v3, acks=1, partition 0: returns the error code."""
    partitions = struct.pack('>i', 1) + struct.pack('>i', 0) + struct.pack('>i', len(records)) + records
    body = struct.pack('>h', -1) + struct.pack('>hi', 1, 5000) + struct.pack('>i', 1) + string(topic) + partitions
    response = request(sock, 0, 3, body)
    position = 4
    (name_length,) = struct.unpack_from('>h', response, position)
    position += 2 + name_length + 4
    _partition, error_code = struct.unpack_from('>ih', response, position)
    return error_code


def capture(bootstrap):
    host, port = bootstrap.split(',')[0].split(':')
    for codec in CODECS:
        producer = Producer({'bootstrap.servers': bootstrap, 'compression.type': codec, 'linger.ms': 200, 'enable.idempotence': True})
        for record in expected_records():
            producer.produce(f'golden-{codec}', key=record['key'], value=record['value'], headers=record['headers'], partition=0, timestamp=record['timestamp'])
        assert producer.flush(10) == 0
    with socket.create_connection((host, int(port))) as sock:
        for codec in CODECS:
            records = fetch_records(sock, f'golden-{codec}')
            with open(os.path.join(HERE, f'librdkafka-{codec}.bin'), 'wb') as file:
                file.write(records)
            print(f'librdkafka-{codec}.bin: {len(records)} bytes', file=sys.stderr)


def verify(bootstrap, directory):
    host, port = bootstrap.split(',')[0].split(':')
    with socket.create_connection((host, int(port))) as sock:
        for codec in CODECS + VERIFY_EXTRA:
            with open(os.path.join(directory, f'ours-{codec}.bin'), 'rb') as file:
                error_code = produce_raw(sock, f'ours-{codec}', file.read())
            if error_code != 0:
                print(json.dumps({'codec': codec, 'produceErrorCode': error_code}))
                continue
            consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': f'verify-{codec}', 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
            consumer.assign([__import__('confluent_kafka').TopicPartition(f'ours-{codec}', 0, 0)])
            messages = []
            while True:
                message = consumer.poll(3)
                if message is None:
                    break
                if message.error():
                    messages.append({'error': str(message.error())})
                    break
                messages.append({'offset': message.offset(), 'key': None if message.key() is None else message.key().decode(), 'valueBytes': None if message.value() is None else len(message.value()),
                                 'headers': [[k, None if v is None else v.decode()] for k, v in (message.headers() or [])], 'timestamp': message.timestamp()[1]})
            consumer.close()
            print(json.dumps({'codec': codec, 'messages': messages}))


def main():
    refbroker = sys.argv[1]
    topics = []
    for codec in CODECS:
        topics += ['-t', f'golden-{codec}:1']
    for codec in CODECS + VERIFY_EXTRA:
        topics += ['-t', f'ours-{codec}:1']
    broker = subprocess.Popen([refbroker, '-n', '1', *topics], stdout=subprocess.PIPE, stdin=subprocess.PIPE, text=True)
    try:
        bootstrap = broker.stdout.readline().strip()
        assert broker.stdout.readline().strip() == 'READY'
        if '--verify' in sys.argv:
            verify(bootstrap, sys.argv[sys.argv.index('--verify') + 1])
        else:
            capture(bootstrap)
    finally:
        broker.terminate()
        broker.wait(5)


if __name__ == '__main__':
    main()
    sys.stdout.flush()
    # Skip interpreter finalisation: confluent_kafka 1.9 (Debian) can crash while it tears down.
    os._exit(0)
