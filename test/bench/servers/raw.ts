// The ceiling: node:http answering the precomputed JSON.
import { createServer } from 'node:http';
import { ANSWER, announce } from '../shared.js';

const text = JSON.stringify(ANSWER);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  });
});
server.listen(0, '127.0.0.1', () => announce((server.address() as { port: number }).port));
