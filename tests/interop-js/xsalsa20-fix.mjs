// Work-around for a memory runaway in xsalsa20 1.2.0, the cipher @libp2p/pnet 3.0.27 uses.
//
// All XSalsa20 instances share one WebAssembly memory, but each keeps its own Uint8Array view of
// it. When one instance grows the memory (an input larger than the current memory, e.g. a pnet
// write backlog > 640 KB), every other instance's view is detached (length 0); its next update()
// then "reallocates" again, growing the memory by its whole input, which detaches the first
// instance's view, and so on. With two instances per connection (one per direction) every later
// update grows the memory until WebAssembly.Memory.grow() fails and pnet aborts the connection
// (seen here with 100 concurrent 1 MiB echo streams over a PSK connection).
//
// The patch only makes a stale view re-attach to the current memory before growing it; the
// cipher and its keystream are untouched (same bytes on the wire).
import XSalsa20 from 'xsalsa20'

const probe = XSalsa20(new Uint8Array(XSalsa20.NONCEBYTES), new Uint8Array(XSalsa20.KEYBYTES))
const proto = Object.getPrototypeOf(probe._xor)
probe.finalize()

export const applied = proto != null && typeof proto.realloc === 'function' && !proto.__physarumFixed
if (applied) {
  const realloc = proto.realloc
  let live = null // the current memory buffer, recorded after each growth
  proto.realloc = function (size) {
    if (live != null && this._memory.buffer !== live) {
      this._memory = new Uint8Array(live)
      if (size < this._memory.length) return
    }
    realloc.call(this, size)
    live = this._memory.buffer
  }
  proto.__physarumFixed = true
}
