// `npm run gen` writes packages/protocol/src/generated from ../shared/kafka-protocol.
// `npm run gen:check` generates in memory and exits 1 naming files that differ, are missing or extra.
import { relative } from 'node:path'
import { generate } from './generate.ts'
import { outputDir, protocolDir, repoRoot } from './paths.ts'
import { findDifferences, writeFiles } from './sync.ts'

function main(): number {
  const check = process.argv.includes('--check')
  const { files, skipped } = generate(protocolDir())
  const where = relative(repoRoot, outputDir)
  if (check) {
    const problems = findDifferences(files, outputDir)
    for (const problem of problems) console.error(problem)
    if (problems.length > 0) {
      console.error(`${where} is out of date (${problems.length} files); run npm run gen`)
      return 1
    }
    console.log(`${where} is up to date (${files.size} files)`)
    return 0
  }
  const changed = writeFiles(files, outputDir)
  console.log(`generated ${files.size} files in ${where} (${changed} changed)`)
  for (const entry of skipped) console.log(`skipped ${entry}`)
  return 0
}

process.exitCode = main()
