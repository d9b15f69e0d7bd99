// Invariant checks (STYLE.md G12): an assertion failure is a bug in our code, never bad input.
// Nothing is expected to catch AssertionError; validate input with typed errors instead.

/** Thrown when an invariant does not hold. */
export class AssertionError extends Error {
  readonly code = 'ASSERTION_FAILED'
  readonly domain = 'internal'
  readonly retriable = false

  constructor(message: string) {
    super(message)
    this.name = 'AssertionError'
  }
}

/**
 * Throws `AssertionError` with `message` when `condition` is false.
 * @example assert(offset >= 0, 'offset is never negative')
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message)
}
