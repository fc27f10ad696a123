// Process plumbing shared by the test peers: stdout carries only JSON protocol lines, diagnostics
// go to stderr, and a peer stops on SIGTERM/SIGINT or when its stdin pipe closes.
import { fstatSync } from 'node:fs';

/** The helpers of one peer; `name` prefixes its diagnostics. */
export function peerProcess(name) {
  /** Writes one protocol line to stdout; everything else goes to stderr. */
  function emit(value) {
    process.stdout.write(`${JSON.stringify(value)}\n`);
  }

  function fail(message) {
    console.error(`${name}: ${message}`);
    process.exit(2);
  }

  function parsePort(text) {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      fail(`--port must be a port number (0 for a free one), not "${text}"`);
    }
    return value;
  }

  /** Stops on SIGTERM/SIGINT, and when stdin is a pipe that closes (the test process went away). */
  function exitWhenParentGoes(close) {
    let stopping = false;
    const stop = (reason) => {
      if (stopping) return;
      stopping = true;
      console.error(`${name}: stopping (${reason})`);
      const timer = setTimeout(() => process.exit(0), 2000);
      timer.unref();
      Promise.resolve(close()).finally(() => process.exit(0));
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
    let stdinIsPipe = false;
    try {
      stdinIsPipe = fstatSync(0).isFIFO() || fstatSync(0).isSocket();
    } catch {
      stdinIsPipe = false;
    }
    if (stdinIsPipe) {
      process.stdin.on('end', () => stop('stdin closed'));
      process.stdin.on('error', () => stop('stdin error'));
      process.stdin.resume();
    }
  }

  return { emit, fail, parsePort, exitWhenParentGoes };
}
