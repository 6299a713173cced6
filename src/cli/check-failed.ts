/**
 * A check that ran and found the answer is "no" (e.g. a coverage goal is not met): the command has
 * printed the findings and ends with exit code 1, without an `error:` line.
 */
export class CheckFailed extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'CheckFailed'
  }
}
