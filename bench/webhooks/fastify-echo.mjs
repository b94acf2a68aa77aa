// The ceiling: bare Fastify answering each POST with its JSON body, nothing saved.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/echo', async (request) => request.body);
await app.listen({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0) });
process.stdout.write(`listening on ${app.server.address().port}\n`);
