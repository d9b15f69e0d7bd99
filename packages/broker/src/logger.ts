// A small leveled logger. The broker logs operating events (bad frames, handler failures,
// retention) as one line each on stderr; stdout is left to the CLI (`listening on HOST:PORT`).

export const logLevels = ['debug', 'info', 'warn', 'error', 'silent'] as const
export type LogLevel = (typeof logLevels)[number]

/** Fields attached to a log line (correlationId, apiKey, connectionId, ...). */
export type LogFields = Record<string, unknown>

export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

/** A logger writing `LEVEL message {json fields}` lines to `write` (stderr by default) at or above `level`. */
export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  const threshold = logLevels.indexOf(level)
  const emit = (at: LogLevel, message: string, fields?: LogFields): void => {
    if (logLevels.indexOf(at) < threshold) return
    const suffix = fields === undefined ? '' : ' ' + JSON.stringify(fields, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value))
    write(`${new Date().toISOString()} ${at.toUpperCase()} [broker] ${message}${suffix}`)
  }
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
  }
}
