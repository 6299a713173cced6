// `isn label verify …` alone. bin/isn.js runs this entry (bundled into dist/isn-label-verify.cjs,
// loaded by bin/isn-label-verify.js) when those are the first two arguments: it loads commander,
// jose and the browser-safe verifier only, not the server, the database drivers and every other
// command's libraries, which the full CLI loads at start (about 0.3 s of CPU; docs/performance.md,
// "Label verification"). The same entry runs the worker threads that verify large files on the
// other cores.
import { registerLabel } from './commands/label-verify.ts'
import { isVerifyWorker, runVerifyWorker } from './commands/label-verify-parallel.ts'
import { addVerbose, exitWhenFlushed, rootCommand, runProgram } from './run.ts'

/** Runs the command, or a verification worker; worker threads start from `workerUrl`. */
export async function main(workerUrl: URL): Promise<void> {
  if (isVerifyWorker()) {
    await runVerifyWorker()
    return
  }
  const program = rootCommand()
  registerLabel(program, { workerUrl })
  addVerbose(program)
  exitWhenFlushed(await runProgram(program, process.argv))
}
