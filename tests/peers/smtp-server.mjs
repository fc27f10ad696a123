// A real SMTP server for the SecretAdmin tests, on 127.0.0.1 only.
//
//   node tests/peers/smtp-server.mjs --port 0 [--auth user:password] [--secure-mode none|starttls|tls]
//
// stdout carries one JSON object per line and nothing else:
//   {"ready":true,"port":40123}                     once, when it listens
//   {"auth":{"method","username","accepted"}}      for each AUTH attempt (never the password)
//   {"mail":{"from","to","subject","authUser","raw"}} for each message it accepted
// Diagnostics go to stderr. It exits on SIGTERM/SIGINT, and when its stdin is a pipe that closes
// (so a test that dies does not leave it running).
//
// --auth user:password  AUTH PLAIN/LOGIN is advertised and required; only that pair is accepted,
//                       anything else gets "535 Authentication credentials invalid".
// no --auth             AUTH is not advertised and mail is accepted without it.
// --secure-mode none    (default) plain text, STARTTLS not offered.
// --secure-mode starttls STARTTLS offered with smtp-server's built-in self-signed "localhost"
//                       certificate (clients must skip certificate validation); AUTH only after it.
// --secure-mode tls     implicit TLS from the first byte (SMTPS), same certificate.
import { parseArgs } from 'node:util';
import { SMTPServer } from 'smtp-server';
import { peerProcess } from './peer-process.mjs';

const { emit, fail, parsePort, exitWhenParentGoes } = peerProcess('smtp-peer');

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '0' },
    auth: { type: 'string' },
    'secure-mode': { type: 'string', default: 'none' },
  },
  strict: true,
});

const port = parsePort(args.port);
const secureMode = args['secure-mode'];
if (!['none', 'starttls', 'tls'].includes(secureMode)) {
  fail(`--secure-mode must be none, starttls or tls, not "${secureMode}"`);
}

let credentials;
if (args.auth !== undefined) {
  const colon = args.auth.indexOf(':');
  if (colon <= 0) {
    fail('--auth must be user:password');
  }
  credentials = { user: args.auth.slice(0, colon), password: args.auth.slice(colon + 1) };
}

const disabledCommands = [];
if (secureMode !== 'starttls') disabledCommands.push('STARTTLS');
if (!credentials) disabledCommands.push('AUTH');

const server = new SMTPServer({
  name: 'smtp-peer.test',
  banner: 'SecretAdmin test SMTP peer',
  secure: secureMode === 'tls',
  disabledCommands,
  authMethods: ['PLAIN', 'LOGIN'],
  authOptional: !credentials,
  allowInsecureAuth: false,
  logger: false,
  size: 25 * 1024 * 1024,

  onAuth(auth, _session, callback) {
    const ok = credentials
      && (auth.method === 'PLAIN' || auth.method === 'LOGIN')
      && auth.username === credentials.user
      && auth.password === credentials.password;
    // Every attempt is reported (never the password), so a test can tell that no credential reached this server.
    emit({ auth: { method: auth.method, username: auth.username ?? null, accepted: Boolean(ok) } });
    if (!ok) {
      const error = new Error('Authentication credentials invalid');
      error.responseCode = 535;
      callback(error);
      return;
    }
    callback(null, { user: auth.username });
  },

  onData(stream, session, callback) {
    const chunks = [];
    stream.on('data', (chunk) => chunks.push(chunk));
    stream.on('error', callback);
    stream.on('end', () => {
      if (stream.sizeExceeded) {
        const error = new Error('Message exceeds the maximum size');
        error.responseCode = 552;
        callback(error);
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      emit({
        mail: {
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((recipient) => recipient.address),
          subject: headerValue(raw, 'subject'),
          authUser: session.user ?? null,
          raw,
        },
      });
      callback(null, 'Message accepted');
    });
  },
});

server.on('error', (error) => console.error(`smtp-peer: ${error.message}`));

server.listen(port, '127.0.0.1', () => {
  emit({ ready: true, port: server.server.address().port });
});

exitWhenParentGoes(() => new Promise((resolve) => { server.close(resolve); }));

/** The decoded value of the first header with this name, or null. */
function headerValue(raw, name) {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end < 0 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === name) {
      return decodeEncodedWords(line.slice(colon + 1).trim());
    }
  }
  return null;
}

/** Decodes RFC 2047 encoded words (=?charset?B|Q?text?=), as mail clients write non-ASCII subjects. */
function decodeEncodedWords(value) {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_word, charset, encoding, text) => {
      const bytes = encoding.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
          text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        );
      try {
        return new TextDecoder(charset.split('*')[0]).decode(bytes);
      } catch {
        return bytes.toString('utf8');
      }
    });
}
