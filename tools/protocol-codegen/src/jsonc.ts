// The specs are JSON with `//` line comments. Strip the comments (never inside strings) and parse.

/** Removes `//` comments outside string literals, keeping line breaks so error positions stay right. */
export function stripJsonComments(text: string): string {
  let result = ''
  let inString = false
  for (let index = 0; index < text.length; index++) {
    const char = text[index]
    if (inString) {
      result += char
      if (char === '\\') {
        result += text[index + 1] ?? ''
        index++
      } else if (char === '"') inString = false
    } else if (char === '"') {
      inString = true
      result += char
    } else if (char === '/' && text[index + 1] === '/') {
      while (index < text.length && text[index] !== '\n') index++
      if (index < text.length) result += '\n'
    } else result += char
  }
  return result
}

/** Parses JSON with `//` comments. */
export function parseJsonc(text: string): unknown {
  return JSON.parse(stripJsonComments(text))
}
