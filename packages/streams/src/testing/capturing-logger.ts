// A logger that keeps lines for assertions instead of printing them.
import type { StreamsLogger } from '../runtime/runtime-config.ts'

export class CapturingLogger implements StreamsLogger {
  readonly lines: string[] = []
  private readonly maxLines: number

  constructor(maxLines = 10_000) {
    this.maxLines = maxLines
  }

  warn(message: string): void {
    if (this.lines.length >= this.maxLines) this.lines.shift()
    this.lines.push(message)
  }
}
