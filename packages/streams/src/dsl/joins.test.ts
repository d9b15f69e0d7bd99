// Join semantics: stream-table, stream-GlobalKTable, windowed stream-stream (inner, left,
// outer with Kafka >= 3.1 deferred non-joined results), table-table and foreign-key joins.
import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import { StreamsBuilder, Serdes, JoinWindows } from '../index.ts'
import { TopologyTestDriver, CapturingLogger } from '../testing/index.ts'

const S = Serdes.String()

function driverFor(builder: StreamsBuilder): TopologyTestDriver {
  return new TopologyTestDriver(builder.build(), { logger: new CapturingLogger() })
}

function read(driver: TopologyTestDriver, topic = 'out') {
  return driver.createOutputTopic(topic, S, S).readRecordsToList().map((r) => [r.key, r.value, r.timestamp])
}

describe('stream-table joins', () => {
  for (const kind of ['inner', 'left'] as const) {
    test(`${kind}: each record joins the table's current value and keeps its own timestamp`, () => {
      const builder = new StreamsBuilder()
      const clicks = builder.stream<string, string>('clicks', { keySerde: S, valueSerde: S })
      const users = builder.table<string, string>('users', { keySerde: S, valueSerde: S })
      const joiner = (click: string, user: string | null) => `${click}/${user}`
      const joined = kind === 'inner' ? clicks.join(users, joiner) : clicks.leftJoin(users, joiner)
      joined.to('out', { valueSerde: S })
      const driver = driverFor(builder)
      const userTopic = driver.createInputTopic('users', S, S)
      const clickTopic = driver.createInputTopic('clicks', S, S)
      userTopic.pipeInput('alice', 'Alice', 5)
      clickTopic.pipeInput('alice', 'c1', 10)
      clickTopic.pipeInput('bob', 'c2', 11)
      userTopic.pipeInput('alice', 'Al', 20)
      clickTopic.pipeInput('alice', 'c3', 15)
      userTopic.pipeInput('alice', null, 30)
      clickTopic.pipeInput('alice', 'c4', 31)
      const expected = kind === 'inner'
        ? [['alice', 'c1/Alice', 10], ['alice', 'c3/Al', 15]]
        : [['alice', 'c1/Alice', 10], ['bob', 'c2/null', 11], ['alice', 'c3/Al', 15], ['alice', 'c4/null', 31]]
      assert.deepEqual(read(driver), expected)
    })
  }

  test('stream-GlobalKTable join looks up a key derived from the record', () => {
    const builder = new StreamsBuilder()
    const countries = builder.globalTable<string, string>('countries', { keySerde: S, valueSerde: S })
    builder.stream<string, { country: string }>('visits', { keySerde: S, valueSerde: Serdes.Json() })
      .leftJoin(countries, (_key, visit) => visit.country, (visit, name) => `${visit.country}:${name}`)
      .to('out', { valueSerde: S })
    const driver = driverFor(builder)
    driver.createInputTopic('countries', S, S).pipeInput('fr', 'France', 1)
    const visits = driver.createInputTopic('visits', S, Serdes.Json<{ country: string }>())
    visits.pipeInput('v1', { country: 'fr' }, 2)
    visits.pipeInput('v2', { country: 'de' }, 3)
    assert.deepEqual(read(driver), [['v1', 'fr:France', 2], ['v2', 'de:null', 3]])
    assert.match(builder.build().describe().toString(), /for global store \(will not generate tasks\)/)
  })

  test('a stream re-keyed before a table join is repartitioned first', () => {
    const builder = new StreamsBuilder()
    const users = builder.table<string, string>('users', { keySerde: S, valueSerde: S })
    builder.stream<string, string>('events', { keySerde: S, valueSerde: S }).selectKey((_k, user) => user)
      .join(users, (event, user) => `${event}:${user}`, { keySerde: S, name: 'by-user' }).to('out', { valueSerde: S })
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'app', logger: new CapturingLogger() })
    driver.createInputTopic('users', S, S).pipeInput('u1', 'Ann', 1)
    driver.createInputTopic('events', S, S).pipeInput('e1', 'u1', 2)
    assert.ok(driver.producedTopicNames().has('app-by-user-repartition'))
    assert.deepEqual(read(driver), [['u1', 'u1:Ann', 2]])
  })
})

describe('stream-stream joins', () => {
  function topology(kind: 'inner' | 'left' | 'outer', windows: JoinWindows) {
    const builder = new StreamsBuilder()
    const left = builder.stream<string, string>('left', { keySerde: S, valueSerde: S })
    const right = builder.stream<string, string>('right', { keySerde: S, valueSerde: S })
    const joiner = (l: string | null, r: string | null) => `${l}+${r}`
    const joined = kind === 'inner' ? left.join(right, joiner, windows) : kind === 'left' ? left.leftJoin(right, joiner, windows) : left.outerJoin(right, joiner, windows)
    joined.to('out', { valueSerde: S })
    const driver = driverFor(builder)
    return { driver, left: driver.createInputTopic('left', S, S), right: driver.createInputTopic('right', S, S) }
  }

  test('inner: records join the other side within the window; result time is the max', () => {
    const { driver, left, right } = topology('inner', JoinWindows.ofTimeDifferenceWithNoGrace(10))
    left.pipeInput('k', 'a', 0)
    right.pipeInput('k', 'x', 5)
    right.pipeInput('k', 'y', 20)
    left.pipeInput('k', 'b', 15)
    assert.deepEqual(read(driver), [['k', 'a+x', 5], ['k', 'b+x', 15], ['k', 'b+y', 20]])
  })

  test('before/after make the window asymmetric', () => {
    const { driver, left, right } = topology('inner', JoinWindows.ofTimeDifferenceWithNoGrace(0).after(10))
    left.pipeInput('k', 'a', 10)
    right.pipeInput('k', 'early', 5)
    right.pipeInput('k', 'late', 20)
    assert.deepEqual(read(driver), [['k', 'a+late', 20]])
  })

  test('left: unmatched left records are emitted with null only after their window closes', () => {
    const { driver, left, right } = topology('left', JoinWindows.ofTimeDifferenceWithNoGrace(10))
    left.pipeInput('k', 'a', 0)
    left.pipeInput('k', 'b', 3)
    right.pipeInput('k', 'x', 5)
    assert.deepEqual(read(driver), [['k', 'a+x', 5], ['k', 'b+x', 5]])
    left.pipeInput('k', 'c', 30)
    assert.deepEqual(read(driver), [], 'c waits until its window closes')
    right.pipeInput('other', 'z', 45)
    assert.deepEqual(read(driver), [['k', 'c+null', 30]])
    left.pipeInput('k', 'e', 1)
    assert.deepEqual(read(driver), [['k', 'e+null', 1]], 'a record already past its window is emitted at once')
  })

  test('left join with after = 0: a left record closes as soon as stream time passes it', () => {
    // Scenario of Kafka's own left-join tests: four keys, the right side arriving late.
    const builder = new StreamsBuilder()
    const left = builder.stream<string, string>('left', { keySerde: S, valueSerde: S })
    const right = builder.stream<string, string>('right', { keySerde: S, valueSerde: S })
    left.leftJoin(right, (l, r) => `${l}+${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(100).after(0)).to('out', { valueSerde: S })
    const driver = driverFor(builder)
    const leftTopic = driver.createInputTopic('left', S, S)
    const rightTopic = driver.createInputTopic('right', S, S)
    for (const key of [0, 1, 2, 3]) leftTopic.pipeInput(String(key), `A${key}`, 1000 + key)
    assert.deepEqual(read(driver), [['0', 'A0+null', 1000], ['1', 'A1+null', 1001], ['2', 'A2+null', 1002]])
    for (const key of [0, 1, 2, 3]) rightTopic.pipeInput(String(key), `a${key}`, 999)
    assert.deepEqual(read(driver), [['0', 'A0+a0', 1000], ['1', 'A1+a1', 1001], ['2', 'A2+a2', 1002], ['3', 'A3+a3', 1003]])
    for (const key of [0, 1, 2, 3]) rightTopic.pipeInput(String(key), `b${key}`, 1000)
    assert.deepEqual(read(driver), [['0', 'A0+b0', 1000], ['1', 'A1+b1', 1001], ['2', 'A2+b2', 1002], ['3', 'A3+b3', 1003]])
  })

  test('outer: unmatched records of both sides are emitted after the window plus grace', () => {
    const { driver, left, right } = topology('outer', JoinWindows.ofTimeDifferenceAndGrace(10, 5))
    left.pipeInput('k', 'a', 0)
    right.pipeInput('j', 'x', 2)
    right.pipeInput('k', 'y', 8)
    assert.deepEqual(read(driver), [['k', 'a+y', 8]])
    left.pipeInput('z', 'n', 17)
    assert.deepEqual(read(driver), [], 'x@2 closes at 2 + 10 + 5 = 17: not yet (strictly after)')
    left.pipeInput('z', 'm', 18)
    assert.deepEqual(read(driver), [['j', 'null+x', 2]])
  })
})

describe('table-table joins', () => {
  function topology(kind: 'inner' | 'left' | 'outer') {
    const builder = new StreamsBuilder()
    const a = builder.table<string, string>('a', { keySerde: S, valueSerde: S })
    const b = builder.table<string, string>('b', { keySerde: S, valueSerde: S })
    const joiner = (l: string | null, r: string | null) => `${l}+${r}`
    const joined = kind === 'inner' ? a.join(b, joiner, { storeName: 'joined' }) : kind === 'left' ? a.leftJoin(b, joiner) : a.outerJoin(b, joiner)
    joined.toStream().to('out', { valueSerde: S })
    const driver = driverFor(builder)
    return { driver, a: driver.createInputTopic('a', S, S), b: driver.createInputTopic('b', S, S) }
  }

  test('inner: results need both sides; losing a side emits a tombstone', () => {
    const { driver, a, b } = topology('inner')
    a.pipeInput('k', 'a1', 1)
    b.pipeInput('k', 'b1', 2)
    a.pipeInput('k', 'a2', 3)
    b.pipeInput('k', null, 4)
    a.pipeInput('k', null, 5)
    assert.deepEqual(read(driver), [['k', 'a1+b1', 2], ['k', 'a2+b1', 3], ['k', null, 4]])
    assert.equal(driver.getKeyValueStore<string, string>('joined').get('k'), null)
  })

  test('left: the left side alone produces results; deleting it emits a tombstone', () => {
    const { driver, a, b } = topology('left')
    a.pipeInput('k', 'a1', 1)
    b.pipeInput('k', 'b1', 2)
    b.pipeInput('k', null, 4)
    a.pipeInput('k', null, 5)
    b.pipeInput('k', 'b2', 6)
    assert.deepEqual(read(driver), [['k', 'a1+null', 1], ['k', 'a1+b1', 2], ['k', 'a1+null', 4], ['k', null, 5]])
  })

  test('outer: either side produces results; a tombstone once both are gone', () => {
    const { driver, a, b } = topology('outer')
    b.pipeInput('k', 'b1', 1)
    a.pipeInput('k', 'a1', 2)
    b.pipeInput('k', null, 3)
    a.pipeInput('k', null, 4)
    assert.deepEqual(read(driver), [['k', 'null+b1', 1], ['k', 'a1+b1', 2], ['k', 'a1+null', 3], ['k', null, 4]])
  })
})

describe('foreign-key table joins', () => {
  interface Order { product: string }
  function topology(leftJoin: boolean) {
    const builder = new StreamsBuilder()
    const orders = builder.table<string, Order>('orders', { keySerde: S, valueSerde: Serdes.Json() })
    const products = builder.table<string, string>('products', { keySerde: S, valueSerde: S })
    const joiner = (order: Order, product: string | null) => `${order.product}=${product}`
    const joined = leftJoin ? orders.leftJoin(products, (order) => order.product, joiner) : orders.join(products, (order) => order.product, joiner)
    joined.toStream().to('out', { valueSerde: S })
    const driver = driverFor(builder)
    return { driver, orders: driver.createInputTopic('orders', S, Serdes.Json<Order>()), products: driver.createInputTopic('products', S, S) }
  }

  test('inner: left and right updates, foreign-key changes, deletes', () => {
    const { driver, orders, products } = topology(false)
    products.pipeInput('p1', 'Pen', 1)
    orders.pipeInput('o1', { product: 'p1' }, 2)
    orders.pipeInput('o2', { product: 'p2' }, 3)
    products.pipeInput('p2', 'Ink', 4)
    products.pipeInput('p1', 'Pencil', 5)
    orders.pipeInput('o1', { product: 'p2' }, 6)
    products.pipeInput('p1', 'Quill', 7)
    products.pipeInput('p2', null, 8)
    orders.pipeInput('o2', null, 9)
    assert.deepEqual(read(driver), [
      ['o1', 'p1=Pen', 2],
      ['o2', 'p2=Ink', 4],
      ['o1', 'p1=Pencil', 5],
      ['o1', 'p2=Ink', 6],
      ['o2', null, 8], ['o1', null, 8],
      ['o2', null, 9],
    ])
  })

  for (const leftJoin of [false, true]) {
    test(`${leftJoin ? 'left' : 'inner'}: deleting a non-joining record emits a tombstone; deleting a missing one emits nothing`, () => {
      const builder = new StreamsBuilder()
      const lhs = builder.table<string, string>('lhs', { keySerde: S, valueSerde: S })
      const rhs = builder.table<string, string>('rhs', { keySerde: S, valueSerde: S })
      const joiner = (l: string, r: string | null) => `(${l},${r})`
      const extract = (value: string) => value.split('|')[1]
      ;(leftJoin ? lhs.leftJoin(rhs, extract, joiner, { storeName: 'store' }) : lhs.join(rhs, extract, joiner, { storeName: 'store' })).toStream().to('out', { valueSerde: S })
      const driver = driverFor(builder)
      const left = driver.createInputTopic('lhs', S, S)
      const output = driver.createOutputTopic('out', S, S)
      left.pipeInput('lhs0', null, 0)
      assert.deepEqual(output.readKeyValuesToMap(), new Map())
      left.pipeInput('lhs1', 'lhsValue1|rhs1', 1)
      assert.deepEqual(output.readKeyValuesToMap(), leftJoin ? new Map([['lhs1', '(lhsValue1|rhs1,null)']]) : new Map())
      left.pipeInput('lhs1', null, 2)
      assert.deepEqual(output.readKeyValuesToMap(), new Map([['lhs1', null]]))
      left.pipeInput('lhs1', null, 3)
      assert.deepEqual(output.readKeyValuesToMap(), new Map())
      assert.deepEqual(driver.getKeyValueStore('store').all(), [])
    })
  }

  test('left: a missing right side joins with null', () => {
    const { driver, orders, products } = topology(true)
    orders.pipeInput('o1', { product: 'p9' }, 1)
    products.pipeInput('p9', 'Paper', 2)
    products.pipeInput('p9', null, 3)
    assert.deepEqual(read(driver), [['o1', 'p9=null', 1], ['o1', 'p9=Paper', 2], ['o1', 'p9=null', 3]])
  })
})
