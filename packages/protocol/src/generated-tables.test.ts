// The generated tables: ApiKey / apiMessages agree with each other, ErrorCode / errorInfo with Kafka's names.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { ApiKey, apiMessages } from './generated/api-keys.ts'
import { ErrorCode, errorInfo } from './generated/error-codes.ts'

test('ApiKey names and apiMessages entries agree', () => {
  assert.equal(ApiKey.Produce, 0)
  assert.equal(ApiKey.ApiVersions, 18)
  assert.equal(ApiKey.DescribeTopicPartitions, 75)
  for (const [name, apiKey] of Object.entries(ApiKey)) {
    const entry = apiMessages[apiKey]
    assert.equal(entry.name, name)
    assert.equal(entry.apiKey, apiKey)
    assert.equal(entry.request.name, `${name}Request`)
    assert.equal(entry.response.name, `${name}Response`)
    assert.equal(entry.request.apiKey, apiKey)
    assert.deepEqual(entry.request.validVersions, entry.response.validVersions, `${name}: request and response share versions`)
  }
  assert.equal(Object.keys(apiMessages).length, Object.keys(ApiKey).length)
})

test('ErrorCode uses PascalCase names and errorInfo gives Kafka\'s name, retriability and message', () => {
  assert.equal(ErrorCode.None, 0)
  assert.equal(ErrorCode.UnknownServerError, -1)
  assert.equal(ErrorCode.OffsetOutOfRange, 1)
  assert.equal(ErrorCode.UnknownTopicOrPartition, 3)
  assert.deepEqual(errorInfo(3), { code: 3, name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true, message: 'This server does not host this topic-partition.' })
  assert.equal(errorInfo(ErrorCode.NotCoordinator).retriable, true)
  assert.equal(errorInfo(ErrorCode.TopicAlreadyExists).retriable, false)
  assert.equal(errorInfo(0).name, 'NONE')
  assert.deepEqual(errorInfo(31337), { code: 31337, name: 'UNKNOWN', retriable: false, message: 'unknown error code 31337' })
  const codes = Object.values(ErrorCode)
  assert.equal(new Set(codes).size, codes.length, 'codes are unique')
  for (const [name, code] of Object.entries(ErrorCode)) {
    assert.equal(errorInfo(code).name.replaceAll('_', '').toLowerCase(), name.toLowerCase())
  }
})
