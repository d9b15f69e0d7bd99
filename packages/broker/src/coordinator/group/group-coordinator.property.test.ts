// Random interleavings of JoinGroup/SyncGroup/Heartbeat/LeaveGroup and time: whatever happens,
// no request is answered twice (the harness asserts it), generations never go backwards, and once
// every client goes silent the group drains to Empty with every request answered and no timer left.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import type { RequestId } from '../effects.ts'
import { GroupHarness, rangeProtocol } from '../testing/group-harness.ts'

type Operation =
  | { kind: 'joinNew'; instance: number | null; topics: number }
  | { kind: 'rejoin'; client: number; topics: number }
  | { kind: 'sync'; client: number }
  | { kind: 'heartbeat'; client: number }
  | { kind: 'leave'; client: number }
  | { kind: 'advance'; ms: number }

const operation: fc.Arbitrary<Operation> = fc.oneof(
  fc.record({ kind: fc.constant('joinNew' as const), instance: fc.option(fc.integer({ min: 0, max: 2 })), topics: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('rejoin' as const), client: fc.nat(), topics: fc.integer({ min: 0, max: 1 }) }),
  fc.record({ kind: fc.constant('sync' as const), client: fc.nat() }),
  fc.record({ kind: fc.constant('heartbeat' as const), client: fc.nat() }),
  fc.record({ kind: fc.constant('leave' as const), client: fc.nat() }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 12_000 }) }),
)

interface Client { memberId: string; instance: string | null; generationId: number }

test('property: any interleaving drains to Empty with every request answered and no timer left', () => {
  fc.assert(fc.property(fc.array(operation, { maxLength: 60 }), fc.integer({ min: 0, max: 3_000 }), (operations, initialDelayMs) => {
    const harness = new GroupHarness({ groupInitialRebalanceDelayMs: initialDelayMs })
    const clients: Client[] = []
    const requests: Array<{ kind: 'join' | 'sync'; requestId: RequestId; client: Client }> = []
    let lastGeneration = 0
    const pick = (index: number) => (clients.length === 0 ? undefined : clients[index % clients.length])
    const joinFields = (client: Client | undefined, topics: number) => ({
      memberId: client?.memberId ?? '', groupInstanceId: client?.instance ?? null, protocols: rangeProtocol(topics === 0 ? ['a'] : ['a', 'b']),
      sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 20_000,
    })
    const collected = new Set<RequestId>()
    const collect = () => {
      for (const request of requests) {
        if (request.kind !== 'join' || collected.has(request.requestId)) continue
        const response = harness.joinResponses.get(request.requestId)
        if (response !== undefined) collected.add(request.requestId)
        if (response !== undefined && response.errorCode === 0) {
          request.client.memberId = response.memberId
          request.client.generationId = response.generationId
          assert.ok(response.generationId >= lastGeneration, 'generation went backwards')
          lastGeneration = response.generationId
        }
      }
    }
    for (const op of operations) {
      if (op.kind === 'advance') harness.advance(op.ms)
      else if (op.kind === 'joinNew') {
        const instance = op.instance === null ? null : `instance-${op.instance}`
        const client: Client = { memberId: '', instance, generationId: -1 }
        clients.push(client)
        const first = harness.join(joinFields(client, op.topics))
        requests.push({ kind: 'join', requestId: first, client })
        const response = harness.joinResponses.get(first)
        if (response?.errorCode === 79) {
          client.memberId = response.memberId
          requests.push({ kind: 'join', requestId: harness.join(joinFields(client, op.topics)), client })
        }
      } else {
        const client = pick(op.client)
        if (client === undefined || client.memberId === '') continue
        if (op.kind === 'rejoin') requests.push({ kind: 'join', requestId: harness.join(joinFields(client, op.topics)), client })
        else if (op.kind === 'sync') {
          const assignments = clients.filter((other) => other.memberId !== '').map((other) => ({ memberId: other.memberId, assignment: new Uint8Array([1]) }))
          requests.push({ kind: 'sync', requestId: harness.sync({ memberId: client.memberId, generationId: client.generationId, groupInstanceId: client.instance, assignments }), client })
        } else if (op.kind === 'heartbeat') harness.heartbeat(client.memberId, client.generationId, client.instance)
        else harness.run(harness.coordinator.leaveGroup({ groupId: 'group', members: [{ memberId: client.memberId, groupInstanceId: client.instance }] }, harness.now()))
      }
      collect()
    }
    for (let step = 0; step < 40; step++) harness.advance(30_000) // everyone silent: sessions and rebalances time out
    collect()
    for (const request of requests) {
      const answered = request.kind === 'join' ? harness.joinResponses.has(request.requestId) : harness.syncResponses.has(request.requestId)
      assert.ok(answered, `${request.kind} ${request.requestId} never answered`)
    }
    assert.equal(harness.state(), clients.length === 0 ? 'Dead' : 'Empty')
    assert.equal(harness.clock.pendingTimerCount, 0, 'timers left armed')
  }), { numRuns: 150 })
})
