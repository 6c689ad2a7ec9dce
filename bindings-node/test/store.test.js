'use strict'
// Shared token stores: managers that share one fetch through a directory or a Redis.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const { randomBytes, randomUUID } = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { inspect } = require('node:util')
const { TokenClient, TokenManager, TokenResponse, ConfigError } = require('..')
const { startTestkit } = require('./helpers.js')

let kit
let scratch
before(async () => {
  kit = await startTestkit()
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenfetch-node-store-'))
})
after(() => {
  kit.stop()
  fs.rmSync(scratch, { recursive: true, force: true })
})
beforeEach(() => kit.reset())

/** A directory of its own for one test's store (the store creates it, mode 0700). */
function storeDir() {
  return path.join(scratch, randomUUID())
}

function client(options = {}) {
  return new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'store-node', clientSecret: 'store-secret', ...options })
}

/** Every byte the store wrote, to look for a token in. */
function storedBytes(dir) {
  return fs
    .readdirSync(dir)
    .map((name) => fs.readFileSync(path.join(dir, name), 'latin1'))
    .join('\n')
}

/** Resolves with the next process warning of `code`. */
function nextWarning(code) {
  return new Promise((resolve) => {
    const onWarning = (warning) => {
      if (warning.code !== code) return
      process.off('warning', onWarning)
      resolve(warning)
    }
    process.on('warning', onWarning)
  })
}

const isConfig = (pattern) => (e) => e instanceof ConfigError && pattern.test(e.message)

// --- The file store ----------------------------------------------------------------------

test('a second manager over the same file store adopts the first one\'s token', async () => {
  const dir = storeDir()
  const first = new TokenManager(client(), { store: { file: dir } })
  const second = new TokenManager(client(), { store: { file: dir } })
  const token = await first.accessToken()
  assert.equal(await second.accessToken(), token)
  assert.equal(second.accessTokenSync(), token)
  assert.equal(await kit.tokenRequests(), 1)
  assert.equal(second.lastError, null)
})

test('with a key the entry holds no token in the clear; a manager without it, or with another key, keeps its own', async () => {
  const dir = storeDir()
  const key = randomBytes(32).toString('base64')
  const sealed = new TokenManager(client(), { store: { file: dir, key } })
  const token = await sealed.accessToken()
  assert.ok(!storedBytes(dir).includes(token), 'the access token is not on disk in the clear')
  assert.ok(!storedBytes(dir).includes(key), 'nor is the key')
  assert.equal(await new TokenManager(client(), { store: { file: dir, key } }).accessToken(), token, 'the key opens it')
  assert.equal(await kit.tokenRequests(), 1)

  const keyless = new TokenManager(client(), { store: { file: dir } })
  const own = await keyless.accessToken()
  assert.notEqual(own, token)
  assert.equal(await kit.tokenRequests(), 2)
  // Sealed and plain managers keep separate salts, so separate entries: nothing to report.
  assert.equal(keyless.lastError, null)
  const wrongKey = new TokenManager(client(), { store: { file: dir, key: randomBytes(32).toString('base64') } })
  assert.notEqual(await wrongKey.accessToken(), token)
  assert.equal(wrongKey.lastError, null, 'another key is another deployment: entries of its own')
})

test('a listener sees each token its manager fetched, once, and not those read from the store', async () => {
  const dir = storeDir()
  const fetched = []
  const adopted = []
  let heard
  const firstHeard = new Promise((resolve) => {
    heard = resolve
  })
  const first = new TokenManager(client(), {
    store: { file: dir },
    onToken: (token) => {
      fetched.push(token)
      heard()
    },
  })
  const second = new TokenManager(client(), { store: { file: dir }, onToken: (token) => adopted.push(token) })
  const token = await Promise.all(Array.from({ length: 5 }, () => first.accessToken()))
  await second.accessToken()
  await firstHeard
  // Anything else queued for the event loop has run by the time a timer of 50 ms fires.
  await new Promise((resolve) => setTimeout(resolve, 50))
  assert.equal(fetched.length, 1)
  assert.equal(fetched[0].accessToken, token[0])
  assert.ok(fetched[0] instanceof TokenResponse)
  assert.deepEqual(adopted, [])
})

test('a listener that throws, or rejects, fails no call: its error becomes a process warning', async () => {
  const warned = nextWarning('TOKENFETCH_ON_TOKEN')
  const throwing = new TokenManager(client(), {
    onToken: () => {
      throw new Error('listener broke')
    },
  })
  assert.match(await throwing.accessToken(), /^at-/)
  const warning = await warned
  assert.match(warning.message, /onToken threw \(the token was still returned\): listener broke/)
  assert.equal(warning.name, 'TokenFetchWarning')
  assert.equal(throwing.lastError, null)

  const rejected = nextWarning('TOKENFETCH_ON_TOKEN')
  const rejecting = new TokenManager(client(), { onToken: async () => Promise.reject(new Error('async listener broke')) })
  assert.match(rejecting.accessTokenSync(), /^at-/)
  assert.match((await rejected).message, /async listener broke/)
})

test('a wrong password, another tenant header or another secret parameter is asked of the server', async () => {
  const dir = storeDir()
  const password = (pw) =>
    new TokenManager(client(), { grantType: 'password', params: { username: 'ann', password: pw }, store: { file: dir } })
  password('hunter2').accessTokenSync()
  assert.throws(() => password('wrong-password').accessTokenSync(), (e) => e.kind === 'oauth' && /invalid_grant/.test(String(e.oauthCode ?? e.message)))
  const tenant = (apiKey) =>
    new TokenManager(
      new TokenClient({ tokenUrl: kit.tokenUrl, clientId: 'public', authMethod: 'none', headers: { 'X-Api-Key': apiKey } }),
      { store: { file: dir } },
    )
  const custom = (apiKey) => new TokenManager(client(), { grantType: 'urn:testkit:api-key', params: { api_key: apiKey }, store: { file: dir } })
  for (const make of [tenant, custom]) {
    const one = make('key-quxx').accessTokenSync()
    assert.notEqual(make('key-zulu').accessTokenSync(), one)
    assert.equal(make('key-quxx').accessTokenSync(), one)
  }
  assert.equal(await kit.tokenRequests(), 6)
})

test('an entry made 0644 never makes a refresh-token worker replay', { skip: process.platform === 'win32' }, async () => {
  const dir = storeDir()
  const c = new TokenClient({ tokenUrl: kit.scenarioUrl('rotate_strict'), clientId: 'store-node', clientSecret: 'store-secret' })
  const rt0 = c.passwordSync('ann', 'hunter2').refreshToken
  const grant = { grantType: 'refresh_token', params: { refresh_token: rt0 } }
  new TokenManager(c, { ...grant, store: { file: dir } }).accessTokenSync()
  const [entry] = fs.readdirSync(dir).filter((n) => n.startsWith('tokenfetch-v2-') && n.endsWith('.json'))
  fs.chmodSync(path.join(dir, entry), 0o644)
  assert.throws(() => new TokenManager(c, { ...grant, store: { file: dir } }).accessTokenSync(), isConfig(/chmod 600.*nothing was sent/s))
  const stats = await kit.stats()
  assert.equal(stats.reuse_detected, 0)
  assert.equal(stats.by_grant.refresh_token, 1)
})

test('previous keys open entries during a rotation; plain redis off loopback needs allowInsecure', async () => {
  const dir = storeDir()
  const [old, fresh] = [randomBytes(32).toString('base64'), randomBytes(32).toString('base64')]
  const token = await new TokenManager(client(), { store: { file: dir, key: old } }).accessToken()
  const rotating = new TokenManager(client(), { store: { file: dir, key: fresh, previousKeys: [old] } })
  assert.equal(await rotating.accessToken(), token)
  // Its next fetch seals the entry with the new key: a manager with that key alone reads it.
  rotating.invalidate()
  const next = await rotating.accessToken()
  assert.equal(await new TokenManager(client(), { store: { file: dir, key: fresh } }).accessToken(), next)
  assert.equal(await kit.tokenRequests(), 2)
  assert.throws(() => new TokenManager(client(), { store: { file: dir, previousKeys: [old] } }), isConfig(/need a current key/))
  assert.throws(
    () => new TokenManager(client(), { store: { redis: 'redis://:pw-9f3@redis.internal:6379' } }),
    (e) => e instanceof ConfigError && /rediss:\/\//.test(e.message) && /allowInsecure/.test(e.message) && !e.message.includes('pw-9f3'),
  )
  assert.ok(new TokenManager(client(), { store: { redis: 'redis://redis.internal:6379', allowInsecure: true } }))
  assert.throws(() => new TokenManager(client(), { store: { file: dir, allowInsecure: true } }), isConfig(/applies to a Redis store only/))
})

// --- Bad input ---------------------------------------------------------------------------

test('a file store on a regular file, or a key of the wrong length, is a ConfigError', () => {
  const file = path.join(scratch, 'a-regular-file')
  fs.writeFileSync(file, 'not a directory')
  assert.throws(() => new TokenManager(client(), { store: { file } }), ConfigError)
  const short = Buffer.alloc(16, 1).toString('base64')
  assert.throws(() => new TokenManager(client(), { store: { file: storeDir(), key: short } }), isConfig(/32 bytes/))
  assert.throws(() => new TokenManager(client(), { store: { redis: 'redis://127.0.0.1:1', key: 'not base64!' } }), isConfig(/32 bytes/))
  assert.throws(() => new TokenManager(client(), { store: { file: storeDir(), key: 42 } }), isConfig(/key must be a string, got a number/))
})

test('a store names exactly one of file or redis, as an object', () => {
  assert.throws(() => new TokenManager(client(), { store: 'redis://127.0.0.1' }), isConfig(/store must be an object, got a string/))
  assert.throws(() => new TokenManager(client(), { store: {} }), isConfig(/exactly one store/))
  assert.throws(
    () => new TokenManager(client(), { store: { file: storeDir(), redis: 'redis://127.0.0.1' } }),
    isConfig(/exactly one store/),
  )
  assert.throws(() => new TokenManager(client(), { store: { file: storeDir(), timeoutMs: 100 } }), isConfig(/timeoutMs applies to a Redis store only/))
})

test('misspelt options suggest the right name', () => {
  assert.throws(() => new TokenManager(client(), { stroe: { file: storeDir() } }), isConfig(/unknown option `stroe`; did you mean `store`\?/))
  assert.throws(() => new TokenManager(client(), { store: { redsi: 'redis://127.0.0.1' } }), isConfig(/did you mean `redis`\?/))
  assert.throws(() => new TokenManager(client(), { store: { redis: 'redis://127.0.0.1', timeout: 5 } }), isConfig(/did you mean `timeoutMs`\?/))
  assert.throws(() => new TokenManager(client(), { leaseTime: 1000 }), isConfig(/did you mean `leaseTimeMs`\?/))
  assert.throws(() => new TokenManager(client(), { storeNamspace: 'ann' }), isConfig(/did you mean `storeNamespace`\?/))
  assert.throws(() => new TokenManager(client(), { ontoken: () => {} }), isConfig(/did you mean `onToken`\?/))
})

test('timeoutMs and leaseTimeMs out of range are ConfigErrors naming them', () => {
  for (const bad of [-1, 0, NaN, Infinity, 60_001, 1e300]) {
    assert.throws(
      () => new TokenManager(client(), { store: { redis: 'redis://127.0.0.1:1', timeoutMs: bad } }),
      isConfig(/timeoutMs must be greater than 0 and at most 60000 milliseconds/),
      `timeoutMs: ${bad}`,
    )
  }
  assert.throws(() => new TokenManager(client(), { store: { redis: 'redis://127.0.0.1:1', timeoutMs: '500' } }), isConfig(/timeoutMs must be a number/))
  for (const bad of [-1, 0, NaN, -Infinity, 3_600_001, 2 ** 64]) {
    assert.throws(
      () => new TokenManager(client(), { leaseTimeMs: bad }),
      isConfig(/leaseTimeMs must be greater than 0 and at most 3600000 milliseconds/),
      `leaseTimeMs: ${bad}`,
    )
  }
  assert.ok(new TokenManager(client(), { store: { redis: 'redis://127.0.0.1:1', timeoutMs: 60_000 }, leaseTimeMs: 3_600_000 }))
})

test('onToken must be a function', () => {
  assert.throws(() => new TokenManager(client(), { onToken: 'log' }), isConfig(/onToken must be a function, got a string/))
  assert.throws(() => new TokenManager(client(), { onToken: {} }), isConfig(/onToken must be a function, got an object/))
  assert.ok(new TokenManager(client(), { onToken: null }), 'null is no listener')
})

test('a Redis URL that is not one is a ConfigError, and no message shows its password', () => {
  assert.throws(() => new TokenManager(client(), { store: { redis: 'http://x' } }), isConfig(/scheme "http"/))
  assert.throws(() => new TokenManager(client(), { store: { redis: 'not a url' } }), isConfig(/not a valid URL/))
  assert.throws(
    () => new TokenManager(client(), { store: { redis: 'http://ann:hunter2-secret@x' } }),
    (e) => e instanceof ConfigError && !e.message.includes('hunter2') && !inspect(e).includes('hunter2'),
  )
})

// --- Redis -------------------------------------------------------------------------------

test('a Redis nobody listens on costs no call: the manager fetches and lastError names Redis', async () => {
  const manager = new TokenManager(client(), {
    scope: `unreachable-${randomUUID()}`,
    store: { redis: 'redis://ann:hunter2-secret@127.0.0.1:1', timeoutMs: 300 },
  })
  assert.match(await manager.accessToken(), /^at-/)
  assert.equal(await kit.tokenRequests(), 1)
  const said = manager.lastError
  assert.ok(said, 'the store failure is kept')
  assert.match(said.message, /Redis at redis:\/\/127\.0\.0\.1:1/)
  for (const shown of [said.message, inspect(said), JSON.stringify(said), inspect(manager), JSON.stringify(manager)]) {
    assert.ok(!shown.includes('hunter2'), shown)
  }
})

const REDIS_URL = process.env.TOKENFETCH_REDIS_URL
const REQUIRE_REDIS = process.env.TOKENFETCH_REQUIRE_REDIS === '1'
const redisSkip = REDIS_URL || REQUIRE_REDIS ? false : 'TOKENFETCH_REDIS_URL is not set (a Redis to share tokens through)'

function redisUrl() {
  assert.ok(REDIS_URL, 'TOKENFETCH_REQUIRE_REDIS=1, but TOKENFETCH_REDIS_URL is not set')
  return REDIS_URL
}

test('two managers over one Redis make one fetch', { skip: redisSkip }, async () => {
  const options = { scope: `node-${randomUUID()}`, store: { redis: redisUrl() } }
  const first = new TokenManager(client(), options)
  const second = new TokenManager(client(), options)
  const token = await first.accessToken()
  assert.equal(await second.accessToken(), token)
  assert.equal(await kit.tokenRequests(), 1)
  assert.equal(second.lastError, null)
})

test('sealed Redis entries open only with their key', { skip: redisSkip }, async () => {
  const scope = `node-sealed-${randomUUID()}`
  const key = randomBytes(32).toString('base64')
  const sealed = { scope, store: { redis: redisUrl(), key } }
  const token = await new TokenManager(client(), sealed).accessToken()
  assert.equal(await new TokenManager(client(), sealed).accessToken(), token)
  const keyless = new TokenManager(client(), { scope, store: { redis: redisUrl() } })
  assert.notEqual(await keyless.accessToken(), token)
  assert.equal(keyless.lastError, null, 'a plain manager keeps entries of its own')
  assert.equal(await kit.tokenRequests(), 2)
})

/** Runs test/store_worker.js as its own process, as scripts/check_shared_store.py does. */
function runWorker(env) {
  // Without the runner's marker, the worker runs as a program rather than as a test file.
  const { NODE_TEST_CONTEXT: _runner, ...inherited } = process.env
  const child = spawn(process.execPath, [path.join(__dirname, 'store_worker.js')], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  let out = ''
  child.stdout.setEncoding('utf8').on('data', (chunk) => (out += chunk))
  return new Promise((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`store_worker exited with ${code}: ${out}`))))
  })
}

test('three worker processes of eight calls each over one Redis make one fetch', { skip: redisSkip }, async () => {
  const env = {
    TF_TOKEN_URL: kit.tokenUrl,
    TF_REDIS_URL: redisUrl(),
    TF_SCOPE: `node-workers-${randomUUID()}`,
    TF_START_AT_MS: String(Date.now() + 1500),
  }
  const outputs = await Promise.all([runWorker(env), runWorker(env), runWorker(env)])
  const tokens = outputs.flatMap((out) => out.split('\n').filter((line) => line.startsWith('TOKEN ')))
  assert.equal(tokens.length, 3, `each worker printed one token: ${outputs.join('|')}`)
  assert.equal(new Set(tokens).size, 1)
  assert.equal(await kit.tokenRequests(), 1)
})
