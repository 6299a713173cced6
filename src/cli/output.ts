/** How commands print: a human line, or one JSON document with --json. */
export interface Output {
  json: boolean
  /** Prints the result: `data` as JSON with --json, otherwise the human text. */
  result(data: unknown, human: string | string[]): void
  /** Progress and notes for people; silent with --json so stdout stays parseable. */
  note(line: string): void
}

export function createOutput(json: boolean): Output {
  return {
    json,
    result(data, human) {
      if (json) process.stdout.write(`${JSON.stringify(data, null, 2)}\n`)
      else process.stdout.write(`${[human].flat().join('\n')}\n`)
    },
    note(line) {
      if (!json) process.stderr.write(`${line}\n`)
    },
  }
}
