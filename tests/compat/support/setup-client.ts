// A minimal out-of-band client for test setup on our broker (create a topic without going
// through the client under test), built on @tributary/protocol's codecs: one request per
// connection, real TCP.
import { connect } from 'node:net'
import { once } from 'node:events'
import {
  apiMessages, ApiVersionsResponse, CreateTopicsResponse, MetadataResponse,
  Reader, Writer, ZERO_UUID, readResponseHeader, writeRequestHeader, type CreateTopicsRequest, type MessageCodec, type MetadataRequest,
} from '@tributary/protocol'

const responseBytesMax = 16 * 1024 * 1024
const TopicAlreadyExists = 36

async function roundTrip<T>(bootstrap: string, apiKey: number, version: number, body: unknown, responseCodec: MessageCodec<T>): Promise<T> {
  const [host, port] = bootstrap.split(',')[0].split(':')
  const socket = connect(Number(port), host)
  try {
    await once(socket, 'connect')
    const writer = new Writer()
    writeRequestHeader(writer, { requestApiKey: apiKey, requestApiVersion: version, correlationId: 1, clientId: 'compat-setup' })
    apiMessages[apiKey].request.write(writer, body as never, version)
    const frame = writer.finish()
    const size = Buffer.alloc(4)
    size.writeInt32BE(frame.length)
    socket.write(Buffer.concat([size, frame]))
    let received = Buffer.alloc(0)
    for await (const chunk of socket) {
      received = Buffer.concat([received, chunk as Buffer])
      if (received.length >= 4 && received.readInt32BE(0) > responseBytesMax) throw new Error('response too large')
      if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) break
    }
    if (received.length < 4) throw new Error(`connection closed without a response to api key ${apiKey} v${version}`)
    const reader = new Reader(received.subarray(4, 4 + received.readInt32BE(0)))
    readResponseHeader(reader, apiKey, version)
    return responseCodec.read(reader, version)
  } finally {
    socket.destroy()
  }
}

async function supportedVersion(bootstrap: string, apiKey: number): Promise<number | undefined> {
  const response = await roundTrip(bootstrap, 18, 0, { clientSoftwareName: '', clientSoftwareVersion: '' }, ApiVersionsResponse)
  const range = response.apiKeys.find((entry) => entry.apiKey === apiKey)
  const codec = apiMessages[apiKey].request.validVersions
  if (!range || range.maxVersion < codec.min) return undefined
  return Math.min(range.maxVersion, codec.max)
}

/**
 * Makes `topic` exist with `partitions` partitions: CreateTopics when the broker serves it,
 * else a Metadata request that names it with allowAutoTopicCreation (auto-created topics get
 * the broker's default partition count, which must then equal `partitions`).
 */
export async function createTopicOutOfBand(bootstrap: string, topic: string, partitions: number): Promise<void> {
  const createVersion = await supportedVersion(bootstrap, 19)
  if (createVersion !== undefined) {
    const request: CreateTopicsRequest = { topics: [{ name: topic, numPartitions: partitions, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 30_000, validateOnly: false }
    const response = await roundTrip(bootstrap, 19, createVersion, request, CreateTopicsResponse)
    const result = response.topics[0]
    if (result.errorCode !== 0 && result.errorCode !== TopicAlreadyExists) throw new Error(`CreateTopics ${topic}: error ${result.errorCode} ${result.errorMessage ?? ''}`)
    return
  }
  const metadataVersion = await supportedVersion(bootstrap, 3)
  if (metadataVersion === undefined || metadataVersion < 4) throw new Error('the broker serves neither CreateTopics nor Metadata v4+ (allowAutoTopicCreation)')
  const request: MetadataRequest = { topics: [{ topicId: ZERO_UUID, name: topic }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }
  const response = await roundTrip(bootstrap, 3, metadataVersion, request, MetadataResponse)
  const created = response.topics.find((entry) => entry.name === topic)
  if (!created || (created.errorCode !== 0 && created.errorCode !== 5 /* LEADER_NOT_AVAILABLE while creating */)) {
    throw new Error(`auto-creating ${topic} through Metadata v${metadataVersion}: ${JSON.stringify(created?.errorCode ?? 'absent')}`)
  }
  if (created.partitions.length !== 0 && created.partitions.length !== partitions) {
    throw new Error(`auto-created ${topic} has ${created.partitions.length} partitions, the test needs ${partitions}`)
  }
}

/** The API keys the broker lists in ApiVersions (v0 request). */
export async function servedApiKeys(bootstrap: string): Promise<Set<number>> {
  const response = await roundTrip(bootstrap, 18, 0, { clientSoftwareName: '', clientSoftwareVersion: '' }, ApiVersionsResponse)
  return new Set(response.apiKeys.map((entry) => entry.apiKey))
}
