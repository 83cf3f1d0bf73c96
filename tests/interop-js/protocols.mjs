// Test protocols of the interop peer: echo, sink and source handlers plus the client sides
// that drive them for correctness checks and throughput figures.
// Written against the js-libp2p 3.x Stream API (event based: 'message', 'end', 'close';
// send() returns false when the caller must wait for onDrain()).

export const ECHO = '/physarum/echo/1.0.0'
export const SINK = '/physarum/sink/1.0.0'
export const SOURCE = '/physarum/source/1.0.0'

// Per-protocol, per-connection stream limits: why — benchmarks open 100+ concurrent streams and
// the js defaults (32 inbound / 64 outbound) would reject them.
export const STREAM_LIMITS = { maxInboundStreams: 1024, maxOutboundStreams: 1024 }

const CHUNK = 64 * 1024
const MAX_STREAMS = 1024

// One fixed pseudo-random chunk reused for sink/source payloads (content is irrelevant there).
const FILLER = fill(new Uint8Array(CHUNK), 0x5eed)

/** The chunks of a 'message' payload (a Uint8Array or a Uint8ArrayList, which iterates its chunks). */
function chunksOf (data) {
  return data instanceof Uint8Array ? [data] : data
}

/** Deterministic xorshift32 bytes; seed must be non-zero. */
function fill (buf, seed) {
  let x = seed >>> 0 || 1
  const words = Math.floor(buf.byteLength / 4)
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength)
  for (let i = 0; i < words; i++) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    view.setUint32(i * 4, x, true)
  }
  for (let i = words * 4; i < buf.byteLength; i++) {
    x ^= x << 13; x >>>= 0
    x ^= x >>> 17
    x ^= x << 5; x >>>= 0
    buf[i] = x & 0xff
  }
  return buf
}

/** The payload stream `index` of an echo run sends: xorshift32 seeded with (index + 1) * 0x9E3779B1. */
export function echoPayload (index, bytes) {
  return fill(new Uint8Array(bytes), Math.imul(index + 1, 0x9E3779B1) >>> 0)
}

function abortError (signal) {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted')
}

/** Race a promise against an abort signal. */
function withSignal (promise, signal) {
  if (signal == null) return promise
  if (signal.aborted) return Promise.reject(abortError(signal))
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal))
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      v => { signal.removeEventListener('abort', onAbort); resolve(v) },
      e => { signal.removeEventListener('abort', onAbort); reject(e) })
  })
}

/**
 * Resolves once the remote closed its write side (FIN) and every received byte was dispatched
 * ('end'); rejects if the stream is reset/aborted or its connection closes first. Attach
 * 'message' listeners before calling, otherwise buffered data keeps 'end' from firing.
 */
function whenEnded (stream, signal) {
  const ended = new Promise((resolve, reject) => {
    let fin = stream.remoteWriteStatus === 'closed' && stream.status === 'open'
    const cleanup = () => {
      stream.removeEventListener('remoteCloseWrite', onFin)
      stream.removeEventListener('end', onEnd)
      stream.removeEventListener('close', onClose)
    }
    const settle = (err) => {
      cleanup()
      if (err != null) reject(err)
      else if (fin) resolve()
      else reject(new Error(`stream closed (status ${stream.status}) before the remote closed its write side - connection lost?`))
    }
    const onFin = () => { fin = true }
    const onEnd = () => settle()
    const onClose = (evt) => settle(evt.error)
    stream.addEventListener('remoteCloseWrite', onFin)
    stream.addEventListener('end', onEnd)
    stream.addEventListener('close', onClose)
    if (stream.readableEnded) settle()
  })
  return withSignal(ended, signal)
}

/** Send bytes in CHUNK pieces, waiting for 'drain' whenever the muxer asks for it. */
async function sendAll (stream, data, signal) {
  for (let off = 0; off < data.byteLength; off += CHUNK) {
    if (!stream.send(data.subarray(off, Math.min(off + CHUNK, data.byteLength)))) {
      await stream.onDrain({ signal })
    }
  }
}

/** Send `count` filler bytes with backpressure. */
async function sendFiller (stream, count, signal) {
  let left = count
  while (left > 0) {
    const n = Math.min(left, CHUNK)
    left -= n
    if (!stream.send(n === CHUNK ? FILLER : FILLER.subarray(0, n))) {
      await stream.onDrain({ signal })
    }
  }
}

function u64be (n) {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(n), false)
  return out
}

// ---------------------------------------------------------------------------------------------
// Handlers (inbound side)

/** Echo every byte back until EOF, then close the write side. */
export async function handleEcho (stream) {
  stream.addEventListener('message', (evt) => {
    let ok
    try {
      ok = stream.send(evt.data)
    } catch (err) {
      stream.abort(err)
      return
    }
    if (!ok && stream.readStatus === 'readable') {
      // Stop reading (yamux then withholds window updates) until our writes drain.
      stream.pause()
      stream.onDrain().then(() => {
        if (stream.readStatus === 'paused') stream.resume()
      }, () => {})
    }
  })
  await whenEnded(stream)
  await stream.close()
}

/** Read and discard until EOF, then write the 8-byte big-endian byte count and close. */
export async function handleSink (stream) {
  let count = 0
  stream.addEventListener('message', (evt) => { count += evt.data.byteLength })
  await whenEnded(stream)
  stream.send(u64be(count))
  await stream.close()
}

/** Read an 8-byte big-endian count N, write N bytes, close. Later input is discarded. */
export async function handleSource (stream) {
  const header = new Uint8Array(8)
  let have = 0
  const gotHeader = Promise.withResolvers()
  stream.addEventListener('message', (evt) => {
    for (const chunk of chunksOf(evt.data)) {
      if (have >= 8) return
      const take = Math.min(8 - have, chunk.byteLength)
      header.set(chunk.subarray(0, take), have)
      have += take
      if (have === 8) gotHeader.resolve()
    }
  })
  const ended = whenEnded(stream)
  ended.then(() => gotHeader.reject(new Error(`source: stream ended after ${have} of 8 header bytes`)), gotHeader.reject)
  await gotHeader.promise
  const n = new DataView(header.buffer).getBigUint64(0, false)
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`source: requested ${n} bytes`)
  await sendFiller(stream, Number(n))
  await stream.close()
}

// ---------------------------------------------------------------------------------------------
// Clients (outbound side)

function checkShape (streams, bytes) {
  if (!Number.isSafeInteger(streams) || streams < 1 || streams > MAX_STREAMS) {
    throw new Error(`"streams" must be an integer in 1..${MAX_STREAMS}`)
  }
  if (!Number.isSafeInteger(bytes) || bytes < 0) {
    throw new Error('"bytes" must be a non-negative integer')
  }
}

async function openStream (node, target, protocol, signal) {
  return node.dialProtocol(target, protocol, { signal, ...STREAM_LIMITS })
}

/** Run one task per stream concurrently; throw a summary if any failed. */
async function runAll (streams, name, task) {
  const results = await Promise.allSettled(Array.from({ length: streams }, (_, i) => task(i)))
  const failed = results.filter(r => r.status === 'rejected')
  if (failed.length > 0) {
    const reason = failed[0].reason
    const msg = reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason)
    throw new Error(`${name}: ${failed.length}/${streams} streams failed; first: ${msg}`)
  }
  return results.map(r => r.value)
}

/**
 * Open `streams` concurrent echo streams; each sends `bytes` deterministic pseudo-random bytes,
 * closes its write side and checks the echo is byte-identical. Timing excludes connection setup
 * and payload generation.
 */
export async function runEcho (node, target, streams, bytes, signal) {
  checkShape(streams, bytes)
  const payloads = Array.from({ length: streams }, (_, i) => echoPayload(i, bytes))
  await node.dial(target, { signal })
  const t0 = performance.now()
  await runAll(streams, 'echo', async (i) => {
    const data = payloads[i]
    const stream = await openStream(node, target, ECHO, signal)
    try {
      const received = new Uint8Array(bytes)
      let off = 0
      let overflow = 0
      stream.addEventListener('message', (evt) => {
        for (const chunk of chunksOf(evt.data)) {
          if (off + chunk.byteLength > bytes) {
            overflow += chunk.byteLength
          } else {
            received.set(chunk, off)
            off += chunk.byteLength
          }
        }
      })
      const ended = whenEnded(stream, signal)
      await sendAll(stream, data, signal)
      await stream.close({ signal })
      await ended
      if (overflow > 0) throw new Error(`stream ${i}: echo returned ${off + overflow} bytes, sent ${bytes}`)
      if (off !== bytes) throw new Error(`stream ${i}: echo returned ${off} of ${bytes} bytes before EOF`)
      if (!Buffer.from(received.buffer).equals(Buffer.from(data.buffer))) {
        const at = received.findIndex((b, k) => b !== data[k])
        throw new Error(`stream ${i}: echoed bytes differ from byte ${at}`)
      }
    } catch (err) {
      stream.abort(err)
      throw err
    }
  })
  const ms = performance.now() - t0
  return { verified: streams, streams, bytes: streams * bytes, ms }
}

function throughput (streams, bytes, ms) {
  const total = streams * bytes
  return { streams, bytes: total, ms, mbPerSec: ms > 0 ? (total / 1e6) / (ms / 1000) : null }
}

/** Push `bytes` per stream to the remote sink over `streams` concurrent streams. */
export async function runSink (node, target, streams, bytes, signal) {
  checkShape(streams, bytes)
  await node.dial(target, { signal })
  const t0 = performance.now()
  await runAll(streams, 'sink', async (i) => {
    const stream = await openStream(node, target, SINK, signal)
    try {
      const reply = []
      stream.addEventListener('message', (evt) => { for (const c of chunksOf(evt.data)) reply.push(c) })
      const ended = whenEnded(stream, signal)
      await sendFiller(stream, bytes, signal)
      await stream.close({ signal })
      await ended
      const buf = Buffer.concat(reply)
      if (buf.byteLength !== 8) throw new Error(`stream ${i}: sink replied ${buf.byteLength} bytes, expected 8`)
      const counted = buf.readBigUInt64BE(0)
      if (counted !== BigInt(bytes)) throw new Error(`stream ${i}: sink counted ${counted} bytes, sent ${bytes}`)
    } catch (err) {
      stream.abort(err)
      throw err
    }
  })
  return throughput(streams, bytes, performance.now() - t0)
}

/** Pull `bytes` per stream from the remote source over `streams` concurrent streams. */
export async function runSource (node, target, streams, bytes, signal) {
  checkShape(streams, bytes)
  await node.dial(target, { signal })
  const t0 = performance.now()
  await runAll(streams, 'source', async (i) => {
    const stream = await openStream(node, target, SOURCE, signal)
    try {
      let count = 0
      stream.addEventListener('message', (evt) => { count += evt.data.byteLength })
      const ended = whenEnded(stream, signal)
      stream.send(u64be(bytes))
      await stream.close({ signal })
      await ended
      if (count !== bytes) throw new Error(`stream ${i}: source sent ${count} bytes, requested ${bytes}`)
    } catch (err) {
      stream.abort(err)
      throw err
    }
  })
  return throughput(streams, bytes, performance.now() - t0)
}
