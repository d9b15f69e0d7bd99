// `npm run bench`: runs every macro benchmark under bench/ (files named *.bench.ts), each in
// its own Node process so one benchmark's heap and JIT state do not colour the next.
// `npm run bench -- protocol` runs only the benchmarks whose path contains "protocol".
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'

const benchDir = import.meta.dirname
const filters = process.argv.slice(2)

function benchFiles(dir: string): string[] {
  const files: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) files.push(...benchFiles(path))
    else if (name.endsWith('.bench.ts')) files.push(path)
  }
  return files
}

const selected = benchFiles(benchDir).filter((file) => filters.length === 0 || filters.some((f) => file.includes(f)))
if (selected.length === 0) {
  console.error(`no benchmark matches ${filters.join(', ')}`)
  process.exit(2)
}
let failed = 0
for (const [index, file] of selected.entries()) {
  console.log(`\n[${index + 1}/${selected.length}] ${relative(join(benchDir, '..'), file)}`)
  const result = spawnSync(process.execPath, [file], { stdio: 'inherit' })
  if (result.status !== 0) failed++
}
process.exitCode = failed === 0 ? 0 : 1
