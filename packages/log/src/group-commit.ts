// Group commit: callers ask for "an fsync that starts after now"; all requests made while one
// round runs share the next round, and requests of one event-loop turn share one round. So
// N appends in a burst cost one fsync per partition, not N, and at most one round runs at a time.

interface Round {
  promise: Promise<void>
  resolve: () => void
  reject: (error: unknown) => void
}

export class GroupCommit {
  readonly #runRound: () => Promise<void>
  #next: Round | undefined
  #running: Round | undefined

  /** `runRound` does the work of one round (the fsyncs); its rejection rejects that round's waiters. */
  constructor(runRound: () => Promise<void>) {
    this.#runRound = runRound
  }

  /** Resolves after a round that starts after this call. */
  request(): Promise<void> {
    if (this.#next === undefined) {
      this.#next = createRound()
      if (this.#running === undefined) setImmediate(() => void this.#start())
    }
    return this.#next.promise
  }

  /** The round a caller would wait for now without asking for a new one (next, else running). */
  get pending(): Promise<void> | undefined {
    return (this.#next ?? this.#running)?.promise
  }

  async #start(): Promise<void> {
    const round = this.#next
    if (round === undefined || this.#running !== undefined) return
    this.#next = undefined
    this.#running = round
    try {
      await this.#runRound()
      round.resolve()
    } catch (error) {
      round.reject(error)
    } finally {
      this.#running = undefined
      if (this.#next !== undefined) setImmediate(() => void this.#start())
    }
  }
}

function createRound(): Round {
  let resolve!: () => void
  let reject!: (error: unknown) => void
  const promise = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve
    reject = onReject
  })
  return { promise, resolve, reject }
}
