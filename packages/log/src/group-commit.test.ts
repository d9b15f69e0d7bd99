import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { GroupCommit } from './group-commit.ts'

describe('GroupCommit', () => {
  test('requests of one turn share a round; requests during a round share the next one', async () => {
    let rounds = 0
    let release: (() => void) | undefined
    const commit = new GroupCommit(async () => {
      rounds++
      await new Promise<void>((resolve) => (release = resolve))
    })
    const first = [commit.request(), commit.request(), commit.request()]
    assert.equal(first[0], first[2])
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(rounds, 1)
    const second = [commit.request(), commit.request()]
    assert.notEqual(second[0], first[0])
    assert.equal(commit.pending, second[0])
    release?.()
    await Promise.all(first)
    await new Promise((resolve) => setImmediate(resolve))
    assert.equal(rounds, 2, 'the next round starts once the running one ends')
    release?.()
    await Promise.all(second)
    assert.equal(commit.pending, undefined)
  })

  test("a failed round rejects its waiters only", async () => {
    let fail = true
    const commit = new GroupCommit(async () => {
      if (fail) throw new Error('disk on fire')
    })
    await assert.rejects(commit.request(), /disk on fire/)
    fail = false
    await commit.request()
  })
})
