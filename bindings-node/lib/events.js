'use strict'
// The core's events, where Node users look for them:
// - the `tokenfetch` diagnostics channel (`diagnostics_channel.subscribe('tokenfetch', fn)`),
//   each message `{ name, level, message, fields }`;
// - `NODE_DEBUG=tokenfetch`, which prints each one to stderr as `util.debuglog` does.
// The core builds events only while one of the two listens: subscribing and unsubscribing
// set its level, so an idle channel costs a fetch or a cached read one atomic load.

const dc = require('node:diagnostics_channel')
const util = require('node:util')

const CHANNEL = 'tokenfetch'

/** Whether anyone listens (read on the manager's JavaScript-side reads), and how many
 * events have crossed from the core (for the tests: none while no one listens). */
const state = { listening: false, publish: null, delivered: 0 }

function install(native) {
  const channel = dc.channel(CHANNEL)
  let debug = util.debuglog(CHANNEL, (log) => {
    debug = log
  })
  // debuglog reads NODE_DEBUG once, on its first call or `enabled` read.
  const debugging = debug.enabled
  // diagnostics_channel reports a subscriber's exception itself (on the next tick), as for
  // any channel; the fetch that emitted the event is not affected.
  const publish = (event) => {
    if (channel.hasSubscribers) channel.publish(event)
    if (debugging) debug('%s %s', event.level, event.message)
  }
  const deliver = (json) => {
    state.delivered++
    publish(JSON.parse(json))
  }
  const level = () => (channel.hasSubscribers || debugging ? 'debug' : null)
  state.publish = publish
  state.listening = level() !== null
  native.setEventListener(deliver, level())
  // `diagnostics_channel.subscribe(name, fn)` calls the channel's own method, so wrapping
  // this object's catches both ways of subscribing. The prototype is looked up at each call:
  // Node swaps it when a channel gains or loses its first subscriber.
  for (const method of ['subscribe', 'unsubscribe']) {
    Object.defineProperty(channel, method, {
      configurable: true,
      writable: true,
      value(...args) {
        const result = Object.getPrototypeOf(this)[method].apply(this, args)
        state.listening = level() !== null
        native.setEventLevel(level())
        return result
      },
    })
  }
  return channel
}

/**
 * A read the manager answered from the token it keeps in JavaScript, without the core: the
 * same `cache.hit` the core reports for its own reads. Called only while someone listens.
 */
function cacheHit(token) {
  if (token.expiresAt == null) {
    state.publish({ name: 'cache.hit', level: 'debug', message: 'cache.hit', fields: {} })
    return
  }
  const remaining = Math.max(0, Math.floor(token.expiresAt * 1000 - Date.now()))
  state.publish({
    name: 'cache.hit',
    level: 'debug',
    message: `cache.hit remaining_ms=${remaining}`,
    fields: { remaining_ms: remaining },
  })
}

module.exports = { install, cacheHit, state, CHANNEL }
