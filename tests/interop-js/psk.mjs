// PhysarumSM private-network key: SHA3-256 of the UTF-8 passphrase (FIPS-202, as the go nodes use),
// handed to @libp2p/pnet as the three-line PSK v1 file text with lowercase base16.
import { createHash } from 'node:crypto'

/** The 32-byte network key as lowercase hex. */
export function pskKeyHex (passphrase) {
  return createHash('sha3-256').update(passphrase, 'utf8').digest('hex')
}

/** The PSK v1 file bytes @libp2p/pnet's preSharedKey({ psk }) expects. */
export function pskFile (passphrase) {
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${pskKeyHex(passphrase)}`)
}
