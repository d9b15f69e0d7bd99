// A test shell for the group coordinator: executes its effects against a ManualClock (timers),
// an in-memory list of appended records (the log) and maps of completed responses. It is the
// reference for what the broker's real shell must do with each effect.
import assert from 'node:assert/strict'
import { ManualClock } from '@tributary/testing'
import type { AppendRecordsEffect, RequestId } from '../effects.ts'
import { GroupCoordinator } from '../group/group-coordinator.ts'
import type { GroupCoordinatorOptions } from '../group/group-coordinator.ts'
import { encodeSubscriptionTopics } from '../group/consumer-protocol.ts'
import type {
  GroupEffect, GroupProtocol, JoinGroupRequest, JoinGroupResult, SyncGroupRequest, SyncGroupResult,
} from '../group/group-types.ts'

export const START_MS = 1_700_000_000_000

export function rangeProtocol(topics: readonly string[] = ['orders']): GroupProtocol[] {
  return [{ name: 'range', metadata: encodeSubscriptionTopics(topics) }]
}

export type JoinFields = Partial<Omit<JoinGroupRequest, 'requestId'>>

/** A log marker seen by the harness (transactional offset commits end with one). */
export interface MarkerEntry { readonly type: 'marker'; readonly producerId: number; readonly isCommit: boolean }

export class GroupHarness {
  readonly clock = new ManualClock(START_MS)
  readonly options: GroupCoordinatorOptions
  coordinator: GroupCoordinator
  readonly joinResponses = new Map<RequestId, JoinGroupResult>()
  readonly syncResponses = new Map<RequestId, SyncGroupResult>()
  readonly log: Array<AppendRecordsEffect | MarkerEntry> = []
  readonly #timers = new Map<string, () => void>()
  #nextRequestId = 0
  #nextMemberId = 0

  constructor(config: GroupCoordinatorOptions['config'] = {}) {
    this.options = {
      config: { groupInitialRebalanceDelayMs: 0, ...config },
      newMemberId: (prefix) => `${prefix}-${++this.#nextMemberId}`,
    }
    this.coordinator = new GroupCoordinator(this.options)
  }

  get appended(): AppendRecordsEffect[] {
    return this.log.filter((entry): entry is AppendRecordsEffect => entry.type === 'appendRecords')
  }

  run<T extends { effects: readonly GroupEffect[] } | readonly GroupEffect[]>(outcome: T): T {
    const effects = Array.isArray(outcome) ? outcome as readonly GroupEffect[] : (outcome as { effects: readonly GroupEffect[] }).effects
    for (const effect of effects) {
      switch (effect.type) {
        case 'appendRecords':
          this.log.push(effect)
          break
        case 'scheduleTimer': {
          this.#timers.get(effect.timerId)?.()
          const timerId = effect.timerId
          this.#timers.set(timerId, this.clock.setTimer(effect.deadlineMs - this.clock.nowMs(), () => {
            this.#timers.delete(timerId)
            this.run(this.coordinator.onTimer(timerId, this.clock.nowMs()))
          }))
          break
        }
        case 'cancelTimer':
          this.#timers.get(effect.timerId)?.()
          this.#timers.delete(effect.timerId)
          break
        case 'completeJoinGroup':
          assert.ok(!this.joinResponses.has(effect.requestId), `JoinGroup ${effect.requestId} answered twice`)
          this.joinResponses.set(effect.requestId, effect.response)
          break
        case 'completeSyncGroup':
          assert.ok(!this.syncResponses.has(effect.requestId), `SyncGroup ${effect.requestId} answered twice`)
          this.syncResponses.set(effect.requestId, effect.response)
          break
      }
    }
    return outcome
  }

  /** Moves time, firing due coordinator timers (advance(0) fires zero-delay ones). */
  advance(delayMs: number): void {
    this.clock.advance(delayMs)
  }

  now(): number {
    return this.clock.nowMs()
  }

  join(fields: JoinFields = {}): RequestId {
    const requestId = `join-${++this.#nextRequestId}`
    const request: JoinGroupRequest = {
      requestId, apiVersion: 9, groupId: 'group', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: '',
      groupInstanceId: null, protocolType: 'consumer', protocols: rangeProtocol(), clientId: 'client', clientHost: '/127.0.0.1',
      ...fields,
    }
    this.run(this.coordinator.joinGroup(request, this.now()))
    this.advance(0)
    return requestId
  }

  /** Joins as a new dynamic member (answering MEMBER_ID_REQUIRED); returns the second JoinGroup's id and the member id. */
  joinNew(fields: JoinFields = {}): { requestId: RequestId; memberId: string } {
    const first = this.joinResponse(this.join(fields))
    assert.equal(first.errorCode, 79, 'expected MEMBER_ID_REQUIRED')
    return { requestId: this.join({ ...fields, memberId: first.memberId }), memberId: first.memberId }
  }

  joinResponse(requestId: RequestId): JoinGroupResult {
    const response = this.joinResponses.get(requestId)
    assert.ok(response !== undefined, `JoinGroup ${requestId} has no response yet`)
    return response
  }

  sync(fields: Partial<Omit<SyncGroupRequest, 'requestId'>> & { memberId: string; generationId: number }): RequestId {
    const requestId = `sync-${++this.#nextRequestId}`
    const request: SyncGroupRequest = {
      requestId, groupId: 'group', groupInstanceId: null, protocolType: null, protocolName: null, assignments: [], ...fields,
    }
    this.run(this.coordinator.syncGroup(request, this.now()))
    this.advance(0)
    return requestId
  }

  syncResponse(requestId: RequestId): SyncGroupResult {
    const response = this.syncResponses.get(requestId)
    assert.ok(response !== undefined, `SyncGroup ${requestId} has no response yet`)
    return response
  }

  heartbeat(memberId: string, generationId: number, groupInstanceId: string | null = null, groupId = 'group'): number {
    const outcome = this.run(this.coordinator.heartbeat({ groupId, memberId, generationId, groupInstanceId }, this.now()))
    return outcome.response
  }

  state(groupId = 'group'): string {
    return this.coordinator.describeGroups([groupId], 5)[0].groupState
  }

  /** Records a transaction marker in the log and applies it, as the shell does when it writes one. */
  marker(producerId: number, isCommit: boolean): void {
    this.log.push({ type: 'marker', producerId, isCommit })
    this.coordinator.completeTransaction(producerId, isCommit)
  }

  /** Simulates a broker restart: a fresh coordinator replays the log, then activates. */
  restart(): void {
    for (const cancel of this.#timers.values()) cancel()
    this.#timers.clear()
    this.coordinator = new GroupCoordinator(this.options)
    for (const entry of this.log) {
      if (entry.type === 'marker') this.coordinator.replayTransactionMarker(entry.producerId, entry.isCommit)
      else for (const record of entry.records) this.coordinator.replay(record, entry.transaction?.producerId ?? null)
    }
    this.run(this.coordinator.activate(this.now()))
  }

  /** Two-step: a single member group reaching Stable with the given assignment. */
  stableSingleMember(fields: JoinFields = {}, assignment = new Uint8Array([1])): { memberId: string; generationId: number } {
    const { requestId, memberId } = this.joinNew(fields)
    const joined = this.joinResponse(requestId)
    this.syncResponse(this.sync({ groupId: fields.groupId ?? 'group', memberId, generationId: joined.generationId, assignments: [{ memberId, assignment }] }))
    return { memberId, generationId: joined.generationId }
  }
}
