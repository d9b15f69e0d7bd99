import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { Admin, Producer, Consumer } from '@platformatic/kafka'
const child = spawn('/tmp/refbroker-client/refbroker', ['-n', '1', '-t', 'a:2', '-C'], { stdio: ['pipe', 'pipe', 'inherit'] })
const rl = createInterface({ input: child.stdout! })
const it = rl[Symbol.asyncIterator]()
const boot = (await it.next()).value as string
console.log('boot', boot, (await it.next()).value)
child.stdin!.write('apiversion 2 0 3\n'); console.log((await it.next()).value)
child.stdin!.write('apiversion 22 0 2\n'); console.log((await it.next()).value)
const admin = new Admin({ clientId: 'x', bootstrapBrokers: boot.split(','), retries: 0, timeout: 3000 })
try { console.log((await admin.listApis()).map(a => `${a.name}:${a.minVersion}-${a.maxVersion}`).join(' ')) } catch (e) { console.log('listApis error', e) }
try { console.log(await admin.metadata({ topics: ['a'] })) } catch (e) { console.log('metadata error', e) }
const producer = new Producer({ clientId: 'p', bootstrapBrokers: boot.split(','), idempotent: true })
console.log(await producer.send({ messages: [{ topic: 'a', key: Buffer.from('k'), value: Buffer.from('v'), partition: 1 }] }))
await producer.close()
await admin.close()
child.stdin!.end()
