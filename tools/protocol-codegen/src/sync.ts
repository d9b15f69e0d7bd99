// Compares or writes generated files against an output directory.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'

/** Every file under `dir`, as paths relative to it ('/'-separated). */
export function listFiles(dir: string, root = dir): string[] {
  if (!existsSync(dir)) return []
  const result: string[] = []
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) result.push(...listFiles(path, root))
    else result.push(relative(root, path).split('\\').join('/'))
  }
  return result
}

/** Lines such as 'differs: messages/produce.ts', 'missing: …', 'extra: …'; empty when up to date. */
export function findDifferences(files: ReadonlyMap<string, string>, outputDir: string): string[] {
  const existing = new Set(listFiles(outputDir))
  const problems: string[] = []
  for (const [path, text] of files) {
    if (!existing.has(path)) problems.push(`missing: ${path}`)
    else if (readFileSync(join(outputDir, path), 'utf8') !== text) problems.push(`differs: ${path}`)
  }
  for (const path of existing) if (!files.has(path)) problems.push(`extra: ${path}`)
  return problems
}

/** Makes `outputDir` hold exactly `files`. Returns how many files were written or removed. */
export function writeFiles(files: ReadonlyMap<string, string>, outputDir: string): number {
  let changed = 0
  for (const path of listFiles(outputDir)) {
    if (!files.has(path)) {
      rmSync(join(outputDir, path))
      changed++
    }
  }
  for (const [path, text] of files) {
    const target = join(outputDir, path)
    if (existsSync(target) && readFileSync(target, 'utf8') === text) continue
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, text)
    changed++
  }
  return changed
}
