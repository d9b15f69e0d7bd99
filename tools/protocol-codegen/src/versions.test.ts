import { test } from 'node:test'
import assert from 'node:assert/strict'
import { contains, covers, formatVersions, hull, intersect, parseVersions, versionCondition } from './versions.ts'

test('parses the version forms the specs use', () => {
  assert.deepEqual(parseVersions('0+'), { min: 0, max: Infinity })
  assert.deepEqual(parseVersions('3-5'), { min: 3, max: 5 })
  assert.deepEqual(parseVersions('7'), { min: 7, max: 7 })
  assert.deepEqual(parseVersions(' 12+ '), { min: 12, max: Infinity })
  assert.equal(parseVersions('none'), null)
  for (const bad of ['', '+', '5-3', 'a+', '1,2', '-1+']) assert.throws(() => parseVersions(bad), /version range/, bad)
})

test('intersects, hulls and formats ranges', () => {
  assert.deepEqual(intersect(parseVersions('3+'), parseVersions('0-5')), { min: 3, max: 5 })
  assert.equal(intersect(parseVersions('6+'), parseVersions('0-5')), null)
  assert.equal(intersect(null, parseVersions('0+')), null)
  assert.deepEqual(hull(parseVersions('1-2'), parseVersions('5-6')), { min: 1, max: 6 })
  assert.ok(contains(parseVersions('3-5'), 5) && !contains(parseVersions('3-5'), 6) && !contains(null, 0))
  assert.ok(covers(parseVersions('0+'), parseVersions('3-4')) && !covers(parseVersions('4+'), parseVersions('3-4')))
  assert.deepEqual(['0+', '3-5', '7', 'none'].map((text) => formatVersions(parseVersions(text))), ['0+', '3-5', '7', 'none'])
})

test('version conditions fold to constants inside the context', () => {
  const context = parseVersions('0-11')
  assert.equal(versionCondition(parseVersions('0+'), context), 'true')
  assert.equal(versionCondition(parseVersions('12+'), context), 'false')
  assert.equal(versionCondition(parseVersions('3+'), context), 'version >= 3')
  assert.equal(versionCondition(parseVersions('0-2'), context), 'version <= 2')
  assert.equal(versionCondition(parseVersions('3-5'), context), 'version >= 3 && version <= 5')
  assert.equal(versionCondition(parseVersions('3+'), parseVersions('4-11')), 'true')
  assert.equal(versionCondition(null, context), 'false')
})
