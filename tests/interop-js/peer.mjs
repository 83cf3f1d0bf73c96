// A controllable js-libp2p 3.x peer for PhysarumSM interop tests and benchmarks.
// Protocol: JSON lines. Events and command replies on stdout, commands on stdin; libp2p debug
// output (DEBUG=libp2p:*) and diagnostics on stderr. See README.md for the contract.
import './polyfill.mjs' // must run before any libp2p code (Node 20 lacks Promise.withResolvers)
import { setMaxListeners } from 'node:events'
import { createInterface } from 'node:readline'

const { createLibp2p } = await import('libp2p')
const { tcp } = await import('@libp2p/tcp')
const { noise } = await import('@chainsafe/libp2p-noise')
const { yamux } = await import('@chainsafe/libp2p-yamux')
await import('./xsalsa20-fix.mjs') // before pnet creates any cipher; see the file
const { preSharedKey } = await import('@libp2p/pnet')
const { identify } = await import('@libp2p/identify')
const { ping } = await import('@libp2p/ping')
const { generateKeyPair, generateKeyPairFromSeed } = await import('@libp2p/crypto/keys')
const { peerIdFromString } = await import('@libp2p/peer-id')
const { multiaddr } = await import('@multiformats/multiaddr')
const { defaultLogger } = await import('@libp2p/logger')
const protocols = await import('./protocols.mjs')
const { pskFile } = await import('./psk.mjs')

const DEFAULT_TIMEOUT_MS = 120_000
const IDENTIFY_WAIT_MS = 3_000

// ---------------------------------------------------------------------------------------------
// Output

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

// Nobody reads our output any more (parent gone): nothing left to serve.
process.stdout.on('error', () => process.exit(0))

function errorText (err) {
  if (err instanceof Error) {
    const code = err.code != null ? ` (${err.code})` : ''
    const cause = err.cause instanceof Error ? `; cause: ${err.cause.message}` : ''
    return `${err.name}: ${err.message}${code}${cause}`
  }
  return String(err)
}

function emitError (source, message) {
  emit({ event: 'error', source, message })
}

// After start-up, errors never end the process; before it (bad listen address, …) they do, exit 1.
let ready = false
function onFatal (err) {
  emitError('process', errorText(err))
  if (!ready) {
    process.stderr.write(`peer.mjs: start-up failed: ${err instanceof Error ? err.stack : String(err)}\n`)
    process.exit(1)
  }
}
process.on('uncaughtException', onFatal)
process.on('unhandledRejection', onFatal)

// ---------------------------------------------------------------------------------------------
// Arguments

function usage (message) {
  process.stderr.write(`peer.mjs: ${message}\nusage: node peer.mjs [--listen MULTIADDR]... [--psk PASSPHRASE] [--seed HEX32]\n`)
  process.exit(2)
}

function parseArgs (argv) {
  const opts = { listen: [], psk: null, seed: null }
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]
    const value = argv[i + 1]
    if (name === '--help' || name === '-h') usage('help')
    if (!['--listen', '--psk', '--seed'].includes(name)) usage(`unknown argument ${name}`)
    if (value === undefined) usage(`${name} needs a value`)
    i++
    if (name === '--listen') opts.listen.push(value)
    else if (name === '--psk') opts.psk = value
    else opts.seed = value
  }
  if (opts.listen.length === 0) opts.listen.push('/ip4/127.0.0.1/tcp/0')
  if (opts.psk === '') usage('--psk must not be empty')
  if (opts.seed != null && !/^[0-9a-fA-F]{64}$/.test(opts.seed)) usage('--seed must be 64 hex characters (32 bytes)')
  return opts
}

// ---------------------------------------------------------------------------------------------
// Logger: libp2p's default debug logger plus an {"event":"error"} line for every error-level log,
// so that background failures (connection upgrades, e.g. a wrong PSK) reach the test.

function formatLog (format, args) {
  let i = 0
  const text = String(format).replace(/%([a-zA-Z%])/g, (m, f) => {
    if (f === '%') return '%'
    if (i >= args.length) return m
    const v = args[i++]
    if (f === 'e') return errorText(v)
    if (f === 'o' || f === 'O' || f === 'j') {
      try { return typeof v === 'object' ? JSON.stringify(v) ?? String(v) : String(v) } catch { return String(v) }
    }
    return String(v)
  })
  return i < args.length ? `${text} ${args.slice(i).map(String).join(' ')}` : text
}

// Error-level logs js-libp2p emits during normal operation: identify reads length-prefixed messages
// until EOF and logs the clean EOF before the next varint (0 of 1 byte read) as an error. A short
// read inside a message (0/N with N > 1, or k/N) is still reported.
function isBenign (message) {
  return /^closed (after|while) reading 0\/1 bytes$/.test(message)
}

function wrapLogger (inner, name) {
  const log = (...args) => inner(...args)
  log.error = (format, ...args) => {
    inner.error(format, ...args)
    try {
      const message = formatLog(format, args)
      if (!isBenign(message)) emitError(name, message)
    } catch { /* never let logging fail an operation */ }
  }
  log.trace = (...args) => inner.trace(...args)
  log.newScope = (scope) => wrapLogger(inner.newScope(scope), `${name}:${scope}`)
  Object.defineProperty(log, 'enabled', { get: () => inner.enabled })
  return log
}

function eventLogger () {
  const base = defaultLogger()
  return { forComponent: (name) => wrapLogger(base.forComponent(name), name) }
}

// ---------------------------------------------------------------------------------------------
// Node

const opts = parseArgs(process.argv.slice(2))
const privateKey = opts.seed != null
  ? await generateKeyPairFromSeed('Ed25519', Buffer.from(opts.seed, 'hex'))
  : await generateKeyPair('Ed25519')

const node = await createLibp2p({
  privateKey,
  logger: eventLogger(),
  addresses: { listen: opts.listen },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux({ maxInboundStreams: 4096, maxOutboundStreams: 4096, streamOptions: { maxReadBufferLength: 32 * 1024 * 1024 } })],
  ...(opts.psk != null ? { connectionProtector: preSharedKey({ psk: pskFile(opts.psk) }) } : {}),
  connectionManager: {
    // Tests dial repeatedly from 127.0.0.1; the default (5 per second per host) would refuse them.
    inboundConnectionThreshold: 10_000,
    maxIncomingPendingConnections: 256
  },
  // js's connection monitor pings every connection every 10 s over a new stream and aborts the connection when
  // the ping takes over 5 s (or overlaps the next one). Why off: on a loaded CI box a connection busy with
  // 100 x 1 MiB echo queues megabytes in the socket buffers ahead of the ping (2-4 s per direction measured at
  // load 30 on 2 cores), so healthy connections were aborted mid-test; js<->js fails the same way, also with a
  // 60 s timeout (pings then overlap). Liveness is covered by the tests' own pings and yamux keepalive.
  connectionMonitor: { enabled: false },
  services: {
    identify: identify(),
    ping: ping()
  }
})

const identified = new Map() // peer id string -> latest IdentifyResult
const identifyWaiters = new Map() // peer id string -> Set<resolve>

node.addEventListener('peer:identify', (evt) => {
  const key = evt.detail.peerId.toString()
  identified.set(key, evt.detail)
  for (const resolve of identifyWaiters.get(key) ?? []) resolve(evt.detail)
  identifyWaiters.delete(key)
})
node.addEventListener('connection:open', (evt) => {
  const c = evt.detail
  emit({ event: 'connection:open', peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), direction: c.direction })
})
node.addEventListener('connection:close', (evt) => {
  const c = evt.detail
  emit({ event: 'connection:close', peer: c.remotePeer.toString(), addr: c.remoteAddr.toString(), direction: c.direction })
  if (node.getConnections(c.remotePeer).length === 0) identified.delete(c.remotePeer.toString())
})

function serve (protocol, handler) {
  return node.handle(protocol, (stream, connection) => {
    Promise.resolve()
      .then(() => handler(stream, connection))
      .catch((err) => {
        emitError(protocol, `${connection.remotePeer}: ${errorText(err)}`)
        stream.abort(err instanceof Error ? err : new Error(String(err)))
      })
  }, protocols.STREAM_LIMITS)
}

await serve(protocols.ECHO, protocols.handleEcho)
await serve(protocols.SINK, protocols.handleSink)
await serve(protocols.SOURCE, protocols.handleSource)

await node.start()

// ---------------------------------------------------------------------------------------------
// Commands

function target (cmd) {
  if (typeof cmd.addr === 'string') return multiaddr(cmd.addr)
  if (typeof cmd.peer === 'string') return cmd.peer.startsWith('/') ? multiaddr(cmd.peer) : peerIdFromString(cmd.peer)
  throw new Error('command needs "addr" (multiaddr with /p2p/…) or "peer" (peer id)')
}

function intArg (cmd, name, fallback) {
  const v = cmd[name] ?? fallback
  if (!Number.isSafeInteger(v)) throw new Error(`"${name}" must be an integer`)
  return v
}

function identifyJson (r) {
  return {
    peer: r.peerId.toString(),
    agentVersion: r.agentVersion ?? null,
    protocolVersion: r.protocolVersion ?? null,
    protocols: [...r.protocols],
    listenAddrs: r.listenAddrs.map(String),
    observedAddr: r.observedAddr?.toString() ?? null,
    publicKey: r.publicKey != null ? Buffer.from(r.publicKey).toString('hex') : null,
    signedPeerRecord: r.signedPeerRecord != null
  }
}

async function identifyPeer (cmd, signal) {
  const conn = await node.dial(target(cmd), { signal })
  const key = conn.remotePeer.toString()
  const cached = identified.get(key)
  if (cached != null && cached.connection?.status === 'open') return identifyJson(cached)
  // js identifies every new connection by itself; wait briefly for that result, then ask explicitly.
  const waited = await new Promise((resolve) => {
    const waiters = identifyWaiters.get(key) ?? new Set()
    identifyWaiters.set(key, waiters)
    const done = (r) => { clearTimeout(timer); waiters.delete(done); resolve(r) }
    const timer = setTimeout(() => done(null), IDENTIFY_WAIT_MS)
    waiters.add(done)
  })
  if (waited != null) return identifyJson(waited)
  return identifyJson(await node.services.identify.identify(conn, { signal }))
}

const handlers = {
  async dial (cmd, signal) {
    const conn = await node.dial(target(cmd), { signal })
    return { peer: conn.remotePeer.toString(), remoteAddr: conn.remoteAddr.toString() }
  },
  async ping (cmd, signal) {
    const conn = await node.dial(target(cmd), { signal })
    const t0 = performance.now()
    const serviceRttMs = await node.services.ping.ping(conn.remotePeer, { signal })
    return { peer: conn.remotePeer.toString(), rttMs: performance.now() - t0, serviceRttMs }
  },
  identify: (cmd, signal) => identifyPeer(cmd, signal),
  echo: (cmd, signal) => protocols.runEcho(node, target(cmd), intArg(cmd, 'streams', 1), intArg(cmd, 'bytes', 1 << 20), signal),
  sink: (cmd, signal) => protocols.runSink(node, target(cmd), intArg(cmd, 'streams', 1), intArg(cmd, 'bytes', 1 << 20), signal),
  source: (cmd, signal) => protocols.runSource(node, target(cmd), intArg(cmd, 'streams', 1), intArg(cmd, 'bytes', 1 << 20), signal),
  async peers () {
    return { peers: node.getPeers().map(String) }
  },
  async hangup (cmd, signal) {
    const t = target(cmd)
    await node.hangUp(t, { signal })
    return {}
  },
  async stop () {
    await shutdown()
    return {}
  }
}

let stopping = null
function shutdown () {
  stopping ??= node.stop().catch((err) => emitError('stop', errorText(err)))
  return stopping
}

function exitAfterFlush (code) {
  process.stdout.write('', () => process.exit(code))
}

async function run (line) {
  let cmd
  try {
    cmd = JSON.parse(line)
    if (cmd == null || typeof cmd !== 'object' || Array.isArray(cmd)) throw new Error('command must be a JSON object')
  } catch (err) {
    emit({ id: null, ok: false, error: `bad command line: ${errorText(err)}` })
    return
  }
  const id = cmd.id ?? null
  try {
    const handler = Object.hasOwn(handlers, cmd.cmd) ? handlers[cmd.cmd] : null
    if (handler == null) throw new Error(`unknown cmd ${JSON.stringify(cmd.cmd)}`)
    const timeoutMs = intArg(cmd, 'timeoutMs', DEFAULT_TIMEOUT_MS)
    const signal = AbortSignal.timeout(timeoutMs)
    setMaxListeners(Infinity, signal) // one signal is shared by every stream of a benchmark
    const result = await handler(cmd, signal)
    emit({ id, ok: true, ...result })
  } catch (err) {
    emit({ id, ok: false, error: errorText(err) })
  }
  if (cmd.cmd === 'stop') exitAfterFlush(0)
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity })
rl.on('line', (line) => {
  if (line.trim() !== '') run(line)
})
// The parent went away (or closed our stdin): stop cleanly instead of lingering.
rl.on('close', () => { shutdown().then(() => exitAfterFlush(0)) })
for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => { shutdown().then(() => exitAfterFlush(0)) })
}

emit({ event: 'ready', peerId: node.peerId.toString(), addrs: node.getMultiaddrs().map(String) })
ready = true
