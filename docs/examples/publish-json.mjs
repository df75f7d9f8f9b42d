// Publishes one JSON command batch to partition p0 and prints its results.
// Usage: NATS_URL=nats://127.0.0.1:4222 node docs/examples/publish-json.mjs
import { jetstream } from '@nats-io/jetstream';
import { connect, createInbox, headers } from '@nats-io/transport-node';

const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
const timer = setTimeout(() => {
  console.error('no results within 10 s (is the sequencer for p0 running?)');
  process.exit(1);
}, 10_000);

// Subscribe before publishing: results are published once, on core NATS, and not stored.
const inbox = createInbox();
const results = nc.subscribe(inbox, { max: 1 });

// Choose the id once and reuse it on every retry: a retry then returns the original result.
const batch = {
  v: 1,
  commands: [{ id: `example-${Date.now()}`, type: 'counter.increment', data: { counterId: 'c1', by: 1 } }],
};
const h = headers();
h.set('Content-Type', 'application/json');
h.set('Asp-Reply-To', inbox);
// The JetStream ack only says the stream has the message; the result below is the commit.
const ack = await jetstream(nc).publish('asp.cmd.p0', JSON.stringify(batch), { headers: h });
console.log(`stored in ${ack.stream} #${ack.seq}`);

for await (const msg of results) console.log(JSON.stringify(msg.json()));
clearTimeout(timer);
await nc.close();
