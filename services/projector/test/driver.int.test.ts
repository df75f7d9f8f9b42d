import { once } from 'node:events';
import { createRequire } from 'node:module';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { testEnv } from '@asp/testing';
import { expect, it } from 'vitest';

// The tests of patches/mongodb@7.9.0.patch (patches/README.md). They drive the driver's
// connection class itself: the hang it mends lasts one turn of the event loop in a whole
// client, which no test of the client could hit on purpose.
const require = createRequire(import.meta.url);
interface DriverConnection {
  command(ns: unknown, cmd: object, options: object): Promise<Record<string, unknown>>;
  readonly closed: boolean;
}
const { Connection } = require('mongodb/lib/cmap/connection.js') as {
  Connection: new (socket: Socket, options: object) => DriverConnection;
};
const { ns } = require('mongodb/lib/utils.js') as { ns: (name: string) => unknown };

/** Settles with what `p` settles with, or with the word 'hung' after `ms`. */
function withinMs<T>(p: Promise<T>, ms: number): Promise<T | 'hung' | { rejected: unknown }> {
  return Promise.race([
    p.catch((err: unknown) => ({ rejected: err })),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms).unref()),
  ]);
}

async function connected(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  return socket;
}

it('a command on a socket destroyed but not yet closed fails at once instead of waiting forever', async () => {
  const socket = await connected(Number(new URL(testEnv().mongoUrl).port));
  try {
    // No handshake: `hello` is what a server answers on a fresh connection (in OP_QUERY).
    const conn = new Connection(socket, { id: 1, generation: 0 });
    expect(await conn.command(ns('admin.$cmd'), { hello: 1 }, {})).toMatchObject({ ok: 1 });
    // What Node does when the server goes away: the socket is destroyed now, 'close' comes a
    // turn of the event loop later. A command sent in between was written nowhere, and
    // neither 'drain', 'error' nor the socket's timeout ever came (mongodb 7.9.0 unpatched).
    socket.destroy();
    const out = await withinMs(conn.command(ns('admin.$cmd'), { hello: 1 }, { socketTimeoutMS: 1000 }), 5000);
    expect(out).toMatchObject({ rejected: { name: 'MongoNetworkError' } });
    expect(conn.closed).toBe(true);
  } finally {
    socket.destroy();
  }
});

it('a command whose write waits for the socket to drain fails when its timeout closes the connection', async () => {
  // A server that accepts and never reads: the command's 8 MiB fill the socket's buffers.
  const held: Socket[] = [];
  const server: Server = createServer((s) => {
    s.pause();
    held.push(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    const port = (server.address() as { port: number }).port;
    const conn = new Connection(await connected(port), { id: 1, generation: 0 });
    const documents = [{ _id: 1, blob: Buffer.alloc(8 << 20, 1) }];
    // The socket timeout destroys the socket without an error: no 'drain' ever comes.
    const insert = { insert: 'c', documents };
    const out = await withinMs(conn.command(ns('test.$cmd'), insert, { socketTimeoutMS: 300 }), 5000);
    expect(out).toMatchObject({ rejected: { name: 'MongoNetworkTimeoutError' } });
  } finally {
    for (const s of held) s.destroy();
    server.close();
  }
});
