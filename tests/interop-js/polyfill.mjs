// Node 20 lacks Promise.withResolvers (added in Node 22); js-libp2p 3.x calls it at run time.
// Imported first by peer.mjs, before any libp2p module is loaded.
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers () {
      let resolve
      let reject
      const promise = new this((res, rej) => {
        resolve = res
        reject = rej
      })
      return { promise, resolve, reject }
    }
  })
}
