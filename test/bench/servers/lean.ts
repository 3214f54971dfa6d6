// What a careful hand-rolled server reaches: graphql-js with parse/validate cached per query text.
import { createServer } from 'node:http';
import { buildSchema, execute, parse, validate, type DocumentNode } from 'graphql';
import { SDL, announce, echo, getPost } from '../shared.js';

const schema = buildSchema(SDL);
const root = { getPost: (args: { id: string }) => getPost(null, args), echo: (args: { msg: string }) => echo(null, args) };
const cache = new Map<string, DocumentNode>();
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', async () => {
    const { query, variables } = JSON.parse(Buffer.concat(chunks).toString());
    let document = cache.get(query);
    if (!document) {
      document = parse(query);
      const errors = validate(schema, document);
      if (errors.length) throw new Error(errors[0]!.message);
      cache.set(query, document);
    }
    const result = await execute({ schema, document, rootValue: root, variableValues: variables });
    const text = JSON.stringify(result);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.listen(0, '127.0.0.1', () => announce((server.address() as { port: number }).port));
