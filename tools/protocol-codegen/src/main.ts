// `npm run gen` writes packages/protocol/src/generated from ../shared/kafka-protocol.
// `npm run gen:check` generates in memory and exits 1 naming files that differ, are missing or extra.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { generate } from './generate.ts'
import { outputDir, protocolDir, repoRoot } from './paths.ts'


function existingFiles(dir: string): string[] {
  if (!existsSync(dir)) return []
  const result: string[] = []
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) result.push(...existingFiles(path))
    else result.push(relative(outputDir, path))
  }
  return result
}

function main(): number {
  const check = process.argv.includes('--check')
  const { files, skipped } = generate(protocolDir())
  const existing = new Set(existingFiles(outputDir))
  if (check) {
    const problems: string[] = []
    for (const [path, text] of files) {
      if (!existing.has(path)) problems.push(`missing: ${path}`)
      else if (readFileSync(join(outputDir, path), 'utf8') !== text) problems.push(`differs: ${path}`)
    }
    for (const path of existing) if (!files.has(path)) problems.push(`extra: ${path}`)
    for (const problem of problems) console.error(problem)
    if (problems.length > 0) console.error(`generated code is out of date (${problems.length} files); run npm run gen`)
    return problems.length > 0 ? 1 : 0
  }
  for (const path of existing) if (!files.has(path)) rmSync(join(outputDir, path))
  let written = 0
  for (const [path, text] of files) {
    const target = join(outputDir, path)
    if (existing.has(path) && readFileSync(target, 'utf8') === text) continue
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, text)
    written++
  }
  console.log(`generated ${files.size} files (${written} changed) in ${relative(repoRoot, outputDir)}`)
  for (const entry of skipped) console.log(`skipped ${entry}`)
  return 0
}

process.exitCode = main()
