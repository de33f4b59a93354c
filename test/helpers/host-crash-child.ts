// The process the crash test SIGKILLs: it opens the journal in argv[2], authorises one sale against the simulator
// on port argv[3] (which never answers) and waits. It never exits on its own before the test kills it.
import { createHostStack } from '../../src/host/stack.js';
import { saleFor } from './host-fixture.js';

const [dataDir, port] = process.argv.slice(2);
const stack = createHostStack({ port: Number(port), dataDir, link: { authTimeoutMs: 60_000, queueTtlMs: 3600_000 } });
process.stdout.write('authorizing\n');
const result = await stack.link.authorize(saleFor('visa-issuer-scripts', 1234, 'crash-sale-1'));
// Reached only if the simulator answered (it should not in this test).
process.stdout.write(`unexpected answer: ${result.outcome}\n`);
await stack.close();
