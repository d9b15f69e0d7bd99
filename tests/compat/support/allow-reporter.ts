// A node:test reporter that compares a compat run with tests/compat/tests.allow: an allowed
// test that did not pass is a regression (exit code 1); a passing test missing from the list is
// reported so the list can grow. Use it beside a normal reporter (see ../README.md).
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

type TestEvent = { type: string; data: { name: string; file?: string; skip?: string | boolean; details?: { type?: string } } }

const allowFile = join(import.meta.dirname, '..', 'tests.allow')
const compatTest = /^[a-z0-9-]+\/(ours|refbroker): /

export function readAllowList(text = readFileSync(allowFile, 'utf8')): Set<string> {
  return new Set(text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#')))
}

export default async function* allowReporter(source: AsyncIterable<TestEvent>): AsyncGenerator<string> {
  const outcomes = new Map<string, 'pass' | 'fail' | 'skip'>()
  for await (const event of source) {
    if ((event.type !== 'test:pass' && event.type !== 'test:fail') || event.data.details?.type === 'suite') continue
    if (!compatTest.test(event.data.name)) continue
    outcomes.set(event.data.name, event.type === 'test:fail' ? 'fail' : event.data.skip ? 'skip' : 'pass')
  }
  const allowed = readAllowList()
  const ran = [...outcomes.keys()]
  const regressions = [...allowed].filter((name) => outcomes.has(name) && outcomes.get(name) !== 'pass')
  const newPasses = ran.filter((name) => outcomes.get(name) === 'pass' && !allowed.has(name))
  const notRun = [...allowed].filter((name) => !outcomes.has(name))
  const lines = [`\ntests.allow: ${ran.length} compat tests ran, ${allowed.size} allowed`]
  for (const name of regressions) lines.push(`  REGRESSION (allowed, ${outcomes.get(name)}): ${name}`)
  for (const name of newPasses) lines.push(`  NEW PASS (not in tests.allow): ${name}`)
  if (notRun.length) lines.push(`  ${notRun.length} allowed tests did not run in this selection`)
  if (regressions.length) process.exitCode = 1
  yield `${lines.join('\n')}\n`
}
