// The unit that flows between processors (Kafka's processor.api.Record). Named StreamRecord so
// it does not shadow TypeScript's `Record` utility type. Immutable: `with*` returns a copy.

/** A record header; the value is raw bytes, as on the wire. */
export interface Header {
  readonly key: string
  readonly value: Uint8Array | null
}

export type Headers = readonly Header[]

const noHeaders: Headers = Object.freeze([])

export class StreamRecord<K, V> {
  readonly key: K
  readonly value: V
  readonly timestamp: number
  readonly headers: Headers

  constructor(key: K, value: V, timestamp: number, headers: Headers = noHeaders) {
    this.key = key
    this.value = value
    this.timestamp = timestamp
    this.headers = headers
  }

  withKey<NewK>(key: NewK): StreamRecord<NewK, V> {
    return new StreamRecord(key, this.value, this.timestamp, this.headers)
  }

  withValue<NewV>(value: NewV): StreamRecord<K, NewV> {
    return new StreamRecord(this.key, value, this.timestamp, this.headers)
  }

  withTimestamp(timestamp: number): StreamRecord<K, V> {
    return new StreamRecord(this.key, this.value, timestamp, this.headers)
  }

  withHeaders(headers: Headers): StreamRecord<K, V> {
    return new StreamRecord(this.key, this.value, this.timestamp, headers)
  }
}

/** Topic coordinates of the record being processed; absent during punctuation. */
export interface RecordMetadata {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

/** A table update as it flows between KTable processors: the new and the previous value. */
export interface Change<V> {
  readonly newValue: V | null
  readonly oldValue: V | null
}

/** A record in serialized form, as read from or written to a topic. */
export interface SerializedRecord {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly key: Uint8Array | null
  readonly value: Uint8Array | null
  readonly timestamp: number
  readonly headers: Headers
}
