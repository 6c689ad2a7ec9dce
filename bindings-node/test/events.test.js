'use strict'
// Events on the `tokenfetch` diagnostics channel and with NODE_DEBUG=tokenfetch: built only
// while someone listens, and never carrying a secret.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const dc = require('node:diagnostics_channel')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const { TokenClient, TokenManager, EVENTS_CHANNEL } = require('..')
const { startTestkit } = require('./helpers.js')

let kit
before(async () => {
  kit = await startTestkit()
})
after(() => kit.stop())

/** Collects events while `run` runs, then unsubscribes. */
async function listen(run) {
  const heard = []
  const listener = (event) => heard.push(event)
  dc.subscribe(EVENTS_CHANNEL, listener)
  try {
    await run()
    // Events are queued for the event loop: let the queue drain.
    await new Promise((resolve) => setTimeout(resolve, 50))
  } finally {
    dc.unsubscribe(EVENTS_CHANNEL, listener)
  }
  return heard
}

test('a fetch is a request.start and a request.end with its fields', async () => {
  const client = new TokenClient({ tokenUrl: kit.tokenUrl + '?tenant=t1', clientId: 'n', clientSecret: 's' })
  const heard = await listen(() => client.clientCredentials())
  const end = heard.find((e) => e.name === 'request.end')
  assert.ok(heard.some((e) => e.name === 'request.start'), JSON.stringify(heard))
  assert.equal(end.level, 'debug')
  assert.equal(end.fields.endpoint, 'token')
  assert.equal(end.fields.status, 200)
  assert.equal(end.fields.outcome, 'ok')
  assert.ok(!end.fields.url.includes('t1'), 'query values are redacted')
  assert.match(end.message, /^request\.end endpoint=token method=POST/)
})

test('sync calls and the cache are heard too', async () => {
  const client = new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: 's' })
  const manager = new TokenManager(client)
  const heard = await listen(() => {
    manager.accessTokenSync()
    manager.accessTokenSync()
  })
  const names = heard.map((e) => e.name)
  for (const name of ['cache.miss', 'cache.refresh', 'request.end', 'cache.hit']) {
    assert.ok(names.includes(name), `${name} in ${names}`)
  }
})

test('the core builds no event once the last subscriber leaves', async () => {
  const { state } = require('../lib/events.js')
  const client = new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'n', clientSecret: 's' })
  const before = state.delivered
  await listen(() => client.clientCredentials())
  assert.ok(state.delivered > before, 'events crossed while subscribed')
  const after = state.delivered
  await client.clientCredentials()
  client.clientCredentialsSync()
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(state.delivered, after, 'no event crossed from the core with no one listening')
})

test('NODE_DEBUG=tokenfetch prints each event to stderr', () => {
  const script = `
    const { TokenClient } = require(${JSON.stringify(path.join(__dirname, '..'))})
    new TokenClient({ tokenUrl: ${JSON.stringify(kit.tokenUrl)}, clientId: 'n', clientSecret: 's' })
      .clientCredentials().then(() => setTimeout(() => {}, 50))
  `
  const run = spawnSync(process.execPath, ['-e', script], { env: { ...process.env, NODE_DEBUG: 'tokenfetch' }, encoding: 'utf8' })
  assert.equal(run.status, 0, run.stderr)
  assert.match(run.stderr, /TOKENFETCH \d+: debug request\.end endpoint=token/)
})

test('no event carries a secret, in any encoding', async () => {
  const secret = 'node-ev s3cret&+/=é'
  const apiKey = 'node-ev-api-key-51c2'
  const forms = (s) => [s, encodeURIComponent(s), encodeURIComponent(s).toLowerCase(), Buffer.from(s).toString('base64')]
  const seen = []
  const heard = await listen(async () => {
    for (const scenario of ['echo_json', 'echo_headers', 'echo_text', 'rotate']) {
      const client = new TokenClient({
        tokenUrl: kit.scenarioUrl(scenario) + '?api_key=' + encodeURIComponent(apiKey),
        clientId: 'node-ev',
        clientSecret: secret,
        headers: { 'X-Api-Key': apiKey },
        maxRetries: 0,
      })
      try {
        const token = await client.password('user', 'pw-' + secret)
        seen.push(token.accessToken, token.refreshToken ?? '')
      } catch {}
    }
  })
  assert.ok(heard.length > 0)
  const text = JSON.stringify(heard)
  for (const value of [secret, apiKey, 'pw-' + secret, 'node-ev:' + secret, ...seen.filter(Boolean)]) {
    for (const form of forms(value)) assert.ok(!text.includes(form), `${form} in ${text}`)
  }
})
