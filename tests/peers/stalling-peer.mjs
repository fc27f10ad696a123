// A test peer that starts but does not print its ready line, for the tests of the C# fixture's start-up
// (NodePeer: a start that never gets ready is killed and made once more).
//
//   node tests/peers/stalling-peer.mjs [--ready-if-exists FILE]
//
// It says on stderr which process it is, then waits without printing {"ready":true}. With
// --ready-if-exists, it prints {"ready":true,"port":0} at once when FILE exists, and otherwise creates
// FILE and waits: so its first start stalls and its second one is ready, as a peer on a machine that was
// too busy the first time. It exits on SIGTERM/SIGINT, and when its stdin is a pipe that closes.
import { existsSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { peerProcess } from './peer-process.mjs';

const { emit, exitWhenParentGoes } = peerProcess('stalling-peer');

const { values: args } = parseArgs({ options: { 'ready-if-exists': { type: 'string' } }, strict: true });

const marker = args['ready-if-exists'];
if (marker !== undefined && existsSync(marker)) {
  console.error(`stalling-peer: started as process ${process.pid}; ${marker} exists, so it is ready`);
  emit({ ready: true, port: 0 });
} else {
  if (marker !== undefined) writeFileSync(marker, `${process.pid}\n`);
  console.error(`stalling-peer: started as process ${process.pid}; it will not print its ready line`);
}

exitWhenParentGoes(() => {});
setInterval(() => {}, 60 * 60 * 1000); // stays until stopped, whatever its stdin is
