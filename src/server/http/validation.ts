import type { FastifySchemaCompiler } from 'fastify'
import type { TSchema } from 'typebox'
import { Compile } from 'typebox/compile'
import { Value } from 'typebox/value'

/**
 * Validates requests with TypeBox's own compiler and its built-in formats (email, uuid,
 * date-time, uri, …). The same as @fastify/type-provider-typebox's compiler, without loading Ajv
 * and ajv-formats at start-up, which cost a third of a second on a small machine.
 * Query strings and path parameters arrive as text and are converted before checking.
 */
export const validatorCompiler: FastifySchemaCompiler<TSchema> = ({ schema, httpPart }) => {
  const check = Compile(schema)
  return (value) => {
    // Path parameters are usually valid text already (ids); only convert when they are not.
    if (httpPart !== 'body' && check.Check(value)) return { value }
    const converted = httpPart === 'body' ? value : Value.Convert(schema, value)
    return check.Check(converted)
      ? { value: converted }
      : { error: [...check.Errors(converted)] as never }
  }
}
