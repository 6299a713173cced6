import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile, type Validator } from 'typebox/compile'
import { Value } from 'typebox/value'

/**
 * Validates requests with TypeBox's own compiler and its built-in formats (email, uuid,
 * date-time, uri, …). The same as @fastify/type-provider-typebox's compiler, without loading Ajv
 * and ajv-formats at start-up, which cost a third of a second on a small machine.
 * Query strings and path parameters arrive as text and are converted before checking.
 * Each schema is compiled on the route's first request rather than at start-up (most routes of a
 * process are never called; compiling them all cost ≈ 0.1 s of every start). Compiling is
 * synchronous, so concurrent first requests cannot race.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  let compiled: Validator | undefined
  return (value) => {
    const check = (compiled ??= Compile(schema))
    // Path parameters are usually valid text already (ids); only convert when they are not.
    if (httpPart !== 'body' && check.Check(value)) return { value }
    const converted = httpPart === 'body' ? value : Value.Convert(schema, value)
    return check.Check(converted)
      ? { value: converted }
      : { error: [...check.Errors(converted)] as never }
  }
}

type ValidatorFactory = NonNullable<
  NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']
>['buildValidator']

/**
 * The compiler above as Fastify's `schemaController.compilersFactory.buildValidator`: given there,
 * Fastify never loads its default Ajv compiler (≈ 0.1 s of every start). Fastify types this
 * factory after Ajv's compilers, whose validate functions have a different shape from its own
 * `FastifySchemaCompiler` (which `setValidatorCompiler` accepts), hence the cast.
 */
export const validatorFactory = (() => validatorCompiler) as unknown as ValidatorFactory
