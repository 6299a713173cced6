// Types for the part of @secvisogram/csaf-validator-lib (plain ESM JavaScript) that csaf-checker.ts uses.
declare module '@secvisogram/csaf-validator-lib/mandatoryTests.js' {
  export type MandatoryTest = (doc: unknown) => {
    isValid?: boolean
    errors?: { message: string; instancePath: string }[]
  }
  const tests: Record<string, MandatoryTest>
  export = tests
}
