// The bare baseline for `npm run bench`: Fastify 5 with one route and nothing else (no logger, no
// plugins, no hooks), started in its own process exactly like the platform, so that both pay the
// same process, socket and event-loop costs. The route has a response schema, as in Fastify's own
// benchmarks and as every platform route has, so serialisation is compiled on both sides.
// Usage: node bench/hello-server.js --port <port>
import Fastify from 'fastify'

const portIndex = process.argv.indexOf('--port')
const port = Number(portIndex === -1 ? Number.NaN : process.argv[portIndex + 1])
if (!Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write('usage: node bench/hello-server.js --port <port>\n')
  process.exit(2)
}

const app = Fastify()
app.get(
  '/hello',
  {
    schema: {
      response: {
        200: { type: 'object', properties: { hello: { type: 'string' } } },
      },
    },
  },
  async () => ({ hello: 'world' }),
)
await app.listen({ port, host: '127.0.0.1' })
process.stdout.write(`hello-world listening on http://127.0.0.1:${port}\n`)

const stop = () => {
  app.close().then(
    () => process.exit(0),
    () => process.exit(1),
  )
}
process.once('SIGTERM', stop)
process.once('SIGINT', stop)
