// Version ranges as the specs write them: "0+", "3-5", "7", "none".

/** An inclusive range of versions; `max` is Infinity for an open range such as "3+". */
export interface Versions {
  min: number
  max: number
}

/** Parses a spec version string. Returns null for "none". Throws on anything else. */
export function parseVersions(text: string): Versions | null {
  const trimmed = text.trim()
  if (trimmed === 'none') return null
  let match = /^(\d+)\+$/.exec(trimmed)
  if (match) return { min: Number(match[1]), max: Infinity }
  match = /^(\d+)-(\d+)$/.exec(trimmed)
  if (match) {
    const min = Number(match[1])
    const max = Number(match[2])
    if (max < min) throw new Error(`empty version range "${text}"`)
    return { min, max }
  }
  match = /^(\d+)$/.exec(trimmed)
  if (match) return { min: Number(match[1]), max: Number(match[1]) }
  throw new Error(`invalid version range "${text}"`)
}

/** The versions in both ranges, or null when they do not overlap. */
export function intersect(a: Versions | null, b: Versions | null): Versions | null {
  if (a === null || b === null) return null
  const min = Math.max(a.min, b.min)
  const max = Math.min(a.max, b.max)
  return min <= max ? { min, max } : null
}

/** The smallest range covering both. */
export function hull(a: Versions | null, b: Versions | null): Versions | null {
  if (a === null) return b
  if (b === null) return a
  return { min: Math.min(a.min, b.min), max: Math.max(a.max, b.max) }
}

export function contains(range: Versions | null, version: number): boolean {
  return range !== null && version >= range.min && version <= range.max
}

/** True when `outer` includes every version of `inner`. */
export function covers(outer: Versions | null, inner: Versions | null): boolean {
  if (inner === null) return true
  return outer !== null && outer.min <= inner.min && outer.max >= inner.max
}

/** Formats a range the way the specs do ("3+", "0-2", "5", "none"). */
export function formatVersions(range: Versions | null): string {
  if (range === null) return 'none'
  if (range.max === Infinity) return `${range.min}+`
  if (range.min === range.max) return `${range.min}`
  return `${range.min}-${range.max}`
}

/**
 * A TypeScript boolean expression over `version` that is true exactly for the versions of
 * `range` among those of `context` (the versions in which the code can run). Returns 'true' or
 * 'false' when the answer does not depend on the version.
 */
export function versionCondition(range: Versions | null, context: Versions | null, variable = 'version'): string {
  const inside = intersect(range, context)
  if (inside === null || context === null) return 'false'
  const parts: string[] = []
  if (inside.min > context.min) parts.push(`${variable} >= ${inside.min}`)
  if (inside.max < context.max) parts.push(`${variable} <= ${inside.max}`)
  if (parts.length === 0) return 'true'
  return parts.join(' && ')
}
