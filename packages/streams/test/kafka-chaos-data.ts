// The click-enrichment chaos test's input, generated deterministically from a seed, and the
// batch computation of its expected output (the reference the streaming output must equal).
export const CHAOS_TOPICS = { clicks: 'chaos-clicks', profiles: 'chaos-user-profiles', counts: 'chaos-clicks-per-minute' } as const
export const CHAOS_WINDOW_MS = 60_000
/** Larger than the whole input's time span: no click is ever late, so none is dropped. */
export const CHAOS_GRACE_MS = 24 * 60 * 60_000
const T0 = 1_700_000_000_000
const PAGES = ['/home', '/search', '/product', '/cart', '/checkout'] as const

/** mulberry32: a small seeded PRNG, so every run (and the batch) sees the same input. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

export interface Click { userId: string; page: string; timestampMs: number }

export function userId(index: number): string {
  return `user-${index}`
}

/** Profiles for 90% of the users (every tenth has none, so its clicks are not enriched). */
export function chaosProfiles(users: number): Map<string, string> {
  const profiles = new Map<string, string>()
  for (let index = 0; index < users; index++) if (index % 10 !== 3) profiles.set(userId(index), `name-${index}|${['FR', 'DE', 'US', 'JP'][index % 4]}`)
  return profiles
}

/** Click `index` of the input: a random user and page; timestamps advance ~5 ms per click. */
export function* chaosClicks(count: number, users: number, seed: number): Generator<Click> {
  const random = seededRandom(seed)
  for (let index = 0; index < count; index++) {
    const user = Math.floor(random() * users)
    const page = PAGES[Math.floor(random() * PAGES.length)]!
    yield { userId: userId(user), page, timestampMs: T0 + index * 5 + Math.floor(random() * 5) }
  }
}

/** `${userId}@${windowStartMs}` → count of the clicks of users with a profile in that window. */
export function batchWindowedCounts(clicks: Iterable<Click>, profiles: ReadonlyMap<string, string>): Map<string, number> {
  const counts = new Map<string, number>()
  for (const click of clicks) {
    if (!profiles.has(click.userId)) continue
    const key = `${click.userId}@${click.timestampMs - (click.timestampMs % CHAOS_WINDOW_MS)}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }
  return counts
}
