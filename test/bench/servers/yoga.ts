// A default graphql-yoga server with the same schema and a plain JS resolver.
import { createServer } from 'node:http';
import { createSchema, createYoga } from 'graphql-yoga';
import { SDL, announce, echo, getPost } from '../shared.js';

const yoga = createYoga({
  schema: createSchema({ typeDefs: SDL, resolvers: { Query: { getPost, echo } } }),
  logging: false,
});
const server = createServer(yoga);
server.listen(0, '127.0.0.1', () => announce((server.address() as { port: number }).port));
