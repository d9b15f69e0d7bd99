// Runs a third-party client process with a deadline and returns its output; failures carry the
// command line, exit status and stderr so a compat report can quote them.
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'

export type RunResult = { stdout: string; stderr: string }

export const outputBytesMax = 512 * 1024 * 1024

export async function run(command: string, args: readonly string[], options: { input?: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<RunResult> {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], env: options.env ?? process.env })
  const stdout: Buffer[] = []
  const stderr: Buffer[] = []
  let outputBytes = 0
  const collect = (into: Buffer[]) => (chunk: Buffer) => {
    outputBytes += chunk.length
    if (outputBytes > outputBytesMax) child.kill('SIGKILL')
    else into.push(chunk)
  }
  child.stdout.on('data', collect(stdout))
  child.stderr.on('data', collect(stderr))
  child.stdin.on('error', () => {})
  child.stdin.end(options.input ?? '')
  let timedOut = false
  const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL') }, options.timeoutMs)
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolveExit, reject) => {
    child.once('error', reject)
    child.once('close', (exitCode, exitSignal) => resolveExit([exitCode, exitSignal]))
  }).finally(() => clearTimeout(timer))
  const result = { stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8') }
  if (code !== 0) {
    const why = timedOut ? `timed out after ${options.timeoutMs} ms` : `exited with ${code ?? signal}`
    throw new Error(`${command} ${args.join(' ')} ${why}\n${result.stderr.slice(-4000)}`)
  }
  return result
}

export function commandExists(command: string): boolean {
  if (command.startsWith('/')) return existsSync(command)
  return (process.env.PATH ?? '').split(':').some((dir) => existsSync(`${dir}/${command}`))
}
