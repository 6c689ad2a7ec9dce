'use strict'
// conformance/options.json: the same option value means the same thing in every language.
// Each value goes through the real constructors as a JavaScript caller passes it (durations
// in milliseconds), and the normalised value is read back from the built client or manager.
// Writes target/conformance/node-options.json for conformance/report.py.
const { test, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { TokenClient, TokenManager, ConfigError } = require('..')

const ROOT = path.join(__dirname, '..', '..')
const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'conformance', 'options.json'), 'utf8'))
const results = {}

/** JavaScript's name for each option, and whether it is a duration (sent in ms). */
const SPELLING = {
  timeout: ['timeoutMs', true],
  connect_timeout: ['connectTimeoutMs', true],
  max_retries: ['maxRetries', false],
  max_retry_wait: ['maxRetryWaitMs', true],
  max_backoff: ['maxBackoffMs', true],
  max_response_bytes: ['maxResponseBytes', false],
  refresh_skew: ['refreshSkewMs', true],
  default_lifetime: ['defaultLifetimeMs', true],
  lease_time: ['leaseTimeMs', true],
  store_timeout: ['timeoutMs', true],
  discovery_ttl: ['discoveryTtlMs', true],
}
const number = (v) => Number(v) // Number('NaN'), Number('Infinity'), Number('-Infinity')
const base = { tokenUrl: 'https://auth.example/token', clientId: 'a', clientSecret: 'b' }

function apply(option, value) {
  const [name, duration] = SPELLING[option]
  const given = duration ? value * 1000 : value
  if (option === 'lease_time') {
    // It applies only with a store; the default client's 30 s timeout makes its floor 35 s.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenfetch-options-'))
    try {
      return new TokenManager(new TokenClient(base), { store: { file: dir }, leaseTimeMs: given }).leaseTimeMs
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  if (option === 'store_timeout') {
    // A store is an options object, opened by the manager: the value is checked there, and
    // accepted values are taken as read (nothing reads them back).
    new TokenManager(new TokenClient(base), { store: { redis: 'redis://127.0.0.1:1', timeoutMs: given } })
    return given
  }
  if (option === 'discovery_ttl') {
    // An issuer that refuses connections: a transport error once the options are accepted.
    try {
      TokenClient.discoverSync('http://127.0.0.1:9', { clientId: 'a', allowInsecureHttp: true, discoveryTtlMs: given })
    } catch (e) {
      if (e instanceof ConfigError) throw e
    }
    return given
  }
  if (option === 'max_backoff') {
    // Nothing reads it back in Node: an accepted value is taken as the expected one.
    new TokenClient({ ...base, maxBackoffMs: given })
    return given
  }
  if (option === 'refresh_skew' || option === 'default_lifetime') {
    return new TokenManager(new TokenClient(base), { [name]: given })[name]
  }
  return new TokenClient({ ...base, [name]: given })[name]
}

function check(c) {
  const [name] = SPELLING[c.option]
  let got
  try {
    got = apply(c.option, number(c.value))
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`)
    assert.ok(c.error, `expected ${c.expect}, got a ConfigError: ${e.message}`)
    assert.ok(e.message.includes(name), `the error names ${name}: ${e.message}`)
    return
  }
  assert.ok('expect' in c, `expected a ConfigError, got ${got}`)
  assert.ok(Math.abs(got - number(c.expect)) < 1e-6, `expected ${c.expect}, got ${got}`)
}

for (const c of doc.cases) {
  const name = `options/${c.name}`
  test(name, () => {
    try {
      check(c)
    } catch (e) {
      results[name] = `fail: ${e.message}`
      throw e
    }
    results[name] = 'pass'
  })
}

after(() => {
  const out = path.join(ROOT, 'target', 'conformance')
  fs.mkdirSync(out, { recursive: true })
  fs.writeFileSync(path.join(out, 'node-options.json'), JSON.stringify({ language: 'node', results }, null, 2))
})
