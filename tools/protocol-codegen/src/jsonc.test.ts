import { test } from 'node:test'
import assert from 'node:assert/strict'
import { parseJsonc, stripJsonComments } from './jsonc.ts'

test('strips line comments but not // inside strings', () => {
  const text = [
    '// Licensed under the Apache License',
    '{',
    '  "about": "see http://kafka.apache.org // not a comment", // a comment',
    '  "escaped": "a \\" // still a string",',
    '  "n": 1 //trailing',
    '}',
  ].join('\n')
  assert.deepEqual(parseJsonc(text), { about: 'see http://kafka.apache.org // not a comment', escaped: 'a " // still a string', n: 1 })
  assert.equal(stripJsonComments(text).split('\n').length, text.split('\n').length, 'keeps line numbers')
})

test('leaves comment-free JSON unchanged and reports malformed JSON', () => {
  assert.equal(stripJsonComments('{"a": [1, 2]}'), '{"a": [1, 2]}')
  assert.throws(() => parseJsonc('{ "a": 1, // oops\n'), SyntaxError)
})
