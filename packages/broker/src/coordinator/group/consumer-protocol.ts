// Just enough of the consumer embedded protocol (ConsumerProtocolSubscription, the JoinGroup
// metadata of protocolType "consumer") to know which topics a group subscribes to. Every
// version starts with: int16 version, int32 topic count, int16-length topic names.
import type { ClassicGroup } from './classic-group.ts'
import { memberMetadata } from './classic-group.ts'

/** Topics the group's members subscribe to, or null when unknown (not a consumer group, or unparsable). */
export function subscribedTopics(group: ClassicGroup): Set<string> | null {
  if (group.protocolType !== 'consumer' || group.protocolName === null) return null
  const topics = new Set<string>()
  for (const member of group.members.values()) {
    const parsed = parseSubscriptionTopics(memberMetadata(member, group.protocolName))
    if (parsed === null) return null
    for (const topic of parsed) topics.add(topic)
  }
  return topics
}

/** Kafka's rule: when the subscription cannot be known, a consumer group counts as subscribed. */
export function isSubscribedToTopic(group: ClassicGroup, topic: string): boolean {
  const topics = subscribedTopics(group)
  return topics === null ? group.protocolType === 'consumer' : topics.has(topic)
}

export function parseSubscriptionTopics(metadata: Uint8Array): string[] | null {
  const view = new DataView(metadata.buffer, metadata.byteOffset, metadata.byteLength)
  try {
    let position = 2 // version
    const count = view.getInt32(position)
    position += 4
    if (count < 0) return null
    const topics: string[] = []
    for (let index = 0; index < count; index++) {
      const length = view.getInt16(position)
      position += 2
      if (length < 0 || position + length > metadata.length) return null
      topics.push(new TextDecoder('utf-8', { fatal: true }).decode(metadata.subarray(position, position + length)))
      position += length
    }
    return topics
  } catch {
    return null
  }
}

/** Encodes a ConsumerProtocolSubscription v0 (topics only, no user data). */
export function encodeSubscriptionTopics(topics: readonly string[]): Uint8Array {
  const names = topics.map((topic) => new TextEncoder().encode(topic))
  const bytes = new Uint8Array(2 + 4 + names.reduce((sum, name) => sum + 2 + name.length, 0) + 4)
  const view = new DataView(bytes.buffer)
  let position = 2
  view.setInt32(position, names.length)
  position += 4
  for (const name of names) {
    view.setInt16(position, name.length)
    bytes.set(name, position + 2)
    position += 2 + name.length
  }
  view.setInt32(position, -1) // null user data
  return bytes
}
