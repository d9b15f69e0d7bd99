import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { apiMessages } from '@tributary/protocol'
import { handlerTable } from './index.ts'
import { renderProtocolSupport, protocolSupportPath } from '../protocol-support.ts'

test('every handler has the generated codecs of its api key and versions within the spec', () => {
  assert.ok(handlerTable.definitions.length > 0)
  for (const definition of handlerTable.definitions) {
    const messages = apiMessages[definition.apiKey]
    assert.ok(messages !== undefined, `api key ${definition.apiKey} has generated messages`)
    assert.equal(definition.name, messages.name)
    assert.equal(definition.requestCodec.name, `${messages.name}Request`)
    assert.equal(definition.responseCodec.name, `${messages.name}Response`)
    assert.ok(definition.minVersion >= messages.request.validVersions.min && definition.maxVersion <= messages.request.validVersions.max, definition.name)
  }
})

test('the table is sorted by api key without duplicates', () => {
  const keys = handlerTable.definitions.map((definition) => definition.apiKey)
  assert.deepEqual(keys, [...new Set(keys)].sort((left, right) => left - right))
})

test('every handler file starts with its version notes', () => {
  const files: string[] = []
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) walk(path)
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) files.push(path)
    }
  }
  walk(import.meta.dirname)
  const handlerFiles = files.filter((file) => /^export const \w+ = defineHandler\(/m.test(readFileSync(file, 'utf8')))
  assert.ok(handlerFiles.length >= handlerTable.definitions.length, `found ${handlerFiles.length} handler files`)
  for (const file of handlerFiles) {
    const text = readFileSync(file, 'utf8')
    assert.match(text, /^\/\/ [A-Za-z]+ \(api key \d+\): v\d+(-\d+)?\.\n\/\/ Version notes:/, file)
  }
})

test('docs/reference/protocol-support.md is up to date (npx node packages/broker/src/protocol-support.ts)', () => {
  const root = join(import.meta.dirname, '..', '..', '..', '..')
  assert.equal(readFileSync(join(root, protocolSupportPath), 'utf8'), renderProtocolSupport(handlerTable))
})
