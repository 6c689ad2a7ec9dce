// `node node_bench.js <BENCH_URL> [--smoke]`: tokenfetch's npm package against its peers.
// Prints one JSON object per line, as rust-bench does; bench/run.py reads them. Every fetch
// case is checked against the server's request count, and cases run in rounds, rotated.
'use strict'

const http = require('node:http')
const net = require('node:net')
const { execFileSync } = require('node:child_process')

const CLIENT_ID = 'bench-client'
const CLIENT_SECRET = 'bench-secret'
const BASIC = 'Basic ' + Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')
const BODY = 'grant_type=client_credentials'

function emit(fields) {
  console.log(JSON.stringify({ language: 'node', ...fields }))
}

function serverStats(base) {
  return new Promise((resolve, reject) => {
    http
      .get(`${base}/__stats`, { agent: false, headers: { connection: 'close' } }, (res) => {
        let text = ''
        res.on('data', (c) => (text += c))
        res.on('end', () => resolve(JSON.parse(text)))
      })
      .on('error', reject)
  })
}

function percentiles(samples) {
  const sorted = [...samples].sort((a, b) => a - b)
  const at = (q) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length))) - 1]
  return { p50_us: at(0.5), p90_us: at(0.9), p99_us: at(0.99), n: sorted.length }
}

async function fetchers(base) {
  const tokenUrl = `${base}/token`
  const { TokenClient } = require('tokenfetch')
  const ours = new TokenClient({ tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  const plain = () =>
    new Promise((resolve, reject) => {
      const req = http.request(
        tokenUrl,
        {
          method: 'POST',
          agent,
          headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded', 'content-length': BODY.length },
        },
        (res) => {
          const chunks = []
          res.on('data', (c) => chunks.push(c))
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks)).access_token))
        },
      )
      req.on('error', reject)
      req.end(BODY)
    })

  const oidc = await import('openid-client')
  const config = new oidc.Configuration({ issuer: base, token_endpoint: tokenUrl }, CLIENT_ID, CLIENT_SECRET)
  oidc.allowInsecureRequests(config)

  const { ClientCredentials } = require('simple-oauth2')
  const keepAlive = new http.Agent({ keepAlive: true })
  const simple = new ClientCredentials({
    client: { id: CLIENT_ID, secret: CLIENT_SECRET },
    auth: { tokenHost: base, tokenPath: '/token' },
    http: { agents: { http: keepAlive, https: keepAlive, httpsAllowUnauthorized: keepAlive } },
  })

  const floor = rawSocket(new URL(base))

  return [
    ['tokenfetch', async () => (await ours.clientCredentials()).accessToken],
    ['tokenfetch (sync)', async () => ours.clientCredentialsSync().accessToken],
    ['http.request + keep-alive agent', plain],
    ['openid-client', async () => (await oidc.clientCredentialsGrant(config)).access_token],
    ['simple-oauth2 (keep-alive)', async () => (await simple.getToken({})).token.access_token],
    ['raw socket', floor],
  ]
}

/** The private key of one case of conformance/keys.json (PEM). */
function keyCase(name) {
  const keys = JSON.parse(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', '..', 'conformance', 'keys.json'), 'utf8'))
  return keys.cases.find((c) => c.name === name).key
}

/**
 * Each client with a client secret and with a private_key_jwt assertion (RS256 2048, ES256):
 * the difference is what signing costs per fetch. openid-client signs with a WebCrypto key
 * imported once, as its documentation shows.
 */
async function signedFetchers(base) {
  const tokenUrl = `${base}/token`
  const { TokenClient } = require('tokenfetch')
  const oidc = await import('openid-client')
  const { webcrypto } = require('node:crypto')
  const secretClient = new TokenClient({ tokenUrl, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET })
  const secretConfig = new oidc.Configuration({ issuer: base, token_endpoint: tokenUrl }, CLIENT_ID, CLIENT_SECRET)
  oidc.allowInsecureRequests(secretConfig)
  const out = [
    ['tokenfetch', 'secret', async () => (await secretClient.clientCredentials()).accessToken],
    ['openid-client', 'secret', async () => (await oidc.clientCredentialsGrant(secretConfig)).access_token],
  ]
  const algorithms = {
    RS256: ['rsa-pkcs8-pem', { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }],
    ES256: ['ec-pkcs8-pem', { name: 'ECDSA', namedCurve: 'P-256' }],
  }
  for (const [alg, [name, algorithm]] of Object.entries(algorithms)) {
    const pem = keyCase(name)
    const ours = new TokenClient({ tokenUrl, clientId: CLIENT_ID, privateKey: pem })
    out.push(['tokenfetch', alg, async () => (await ours.clientCredentials()).accessToken])
    const der = Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64')
    const key = await webcrypto.subtle.importKey('pkcs8', der, algorithm, false, ['sign'])
    const config = new oidc.Configuration({ issuer: base, token_endpoint: tokenUrl }, CLIENT_ID, {}, oidc.PrivateKeyJwt(key))
    oidc.allowInsecureRequests(config)
    out.push(['openid-client', alg, async () => (await oidc.clientCredentialsGrant(config)).access_token])
  }
  return out
}

async function signedFetches(base, rounds, perRound, warmup) {
  const cases = await signedFetchers(base)
  const samples = cases.map(() => [])
  for (const [, , fetch] of cases) for (let i = 0; i < warmup; i++) await fetch()
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < cases.length; offset++) {
      const index = (round + offset) % cases.length
      const [name, alg, fetch] = cases[index]
      const before = (await serverStats(base)).requests
      for (let i = 0; i < perRound; i++) {
        const start = process.hrtime.bigint()
        await fetch()
        samples[index].push(Number(process.hrtime.bigint() - start) / 1000)
      }
      const made = (await serverStats(base)).requests - before
      if (made !== perRound) throw new Error(`${name} ${alg}: ${made} requests for ${perRound} fetches`)
    }
  }
  cases.forEach(([name, alg], i) => emit({ case: 'signed fetch', client: name, alg, ...percentiles(samples[i]) }))
}

/** The floor: one kept-alive socket, a request written as bytes, the body read by length. */
function rawSocket(url) {
  const socket = net.connect(Number(url.port), url.hostname)
  socket.setNoDelay(true)
  const request = Buffer.from(
    `POST /token HTTP/1.1\r\nhost: ${url.host}\r\nauthorization: ${BASIC}\r\n` +
      `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${BODY.length}\r\n\r\n${BODY}`,
  )
  let buffered = Buffer.alloc(0)
  let waiting = null
  socket.on('data', (chunk) => {
    buffered = Buffer.concat([buffered, chunk])
    const end = buffered.indexOf('\r\n\r\n')
    if (end < 0 || !waiting) return
    const length = Number(/content-length:\s*(\d+)/i.exec(buffered.subarray(0, end).toString())[1])
    if (buffered.length < end + 4 + length) return
    const body = buffered.subarray(end + 4, end + 4 + length).toString()
    buffered = buffered.subarray(end + 4 + length)
    const resolve = waiting
    waiting = null
    resolve(body)
  })
  return () =>
    new Promise((resolve) => {
      waiting = resolve
      socket.write(request)
    })
}

async function fetches(base, rounds, perRound, warmup) {
  const cases = await fetchers(base)
  const samples = cases.map(() => [])
  for (const [, fetch] of cases) for (let i = 0; i < warmup; i++) await fetch()
  for (let round = 0; round < rounds; round++) {
    for (let offset = 0; offset < cases.length; offset++) {
      const index = (round + offset) % cases.length
      const [name, fetch] = cases[index]
      const before = (await serverStats(base)).requests
      for (let i = 0; i < perRound; i++) {
        const start = process.hrtime.bigint()
        await fetch()
        samples[index].push(Number(process.hrtime.bigint() - start) / 1000)
      }
      const made = (await serverStats(base)).requests - before
      if (made !== perRound) throw new Error(`${name}: ${made} requests for ${perRound} fetches`)
    }
  }
  cases.forEach(([name], i) => emit({ case: 'fetch', client: name, ...percentiles(samples[i]) }))
}

async function cachedRead(base, reads) {
  const { TokenClient, TokenManager } = require('tokenfetch')
  const manager = new TokenManager(new TokenClient({ tokenUrl: `${base}/token`, clientId: CLIENT_ID, clientSecret: CLIENT_SECRET }))
  await manager.accessToken()
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]
  const sync = []
  const awaited = []
  for (let batch = 0; batch < 5; batch++) {
    let start = process.hrtime.bigint()
    for (let i = 0; i < reads; i++) manager.accessTokenSync()
    sync.push(Number(process.hrtime.bigint() - start) / reads)
    start = process.hrtime.bigint()
    for (let i = 0; i < reads; i++) await manager.accessToken()
    awaited.push(Number(process.hrtime.bigint() - start) / reads)
  }
  emit({ case: 'cached read', client: 'tokenfetch accessTokenSync()', p50_ns: median(sync), n: reads * 5 })
  emit({ case: 'cached read', client: 'tokenfetch await accessToken()', p50_ns: median(awaited), n: reads * 5 })
}

function requireTime(runs) {
  for (const module of ['tokenfetch', 'openid-client', 'simple-oauth2']) {
    const code =
      `const t = process.hrtime.bigint(); ` +
      (module === 'openid-client' ? `import('${module}').then(() => ` : `void (require('${module}'), `) +
      `console.log(Number(process.hrtime.bigint() - t) / 1e6))`
    const taken = []
    for (let i = 0; i < runs; i++) taken.push(Number(execFileSync(process.execPath, ['-e', code], { cwd: __dirname }).toString()))
    taken.sort((a, b) => a - b)
    emit({ case: 'import', client: module, p50_ms: taken[Math.floor(taken.length / 2)], n: runs })
  }
}

function versions() {
  const version = (name) => require(`${name}/package.json`).version
  emit({ case: 'versions', node: process.version, 'openid-client': version('openid-client'), 'simple-oauth2': version('simple-oauth2') })
}

async function main() {
  const [base, flag] = process.argv.slice(2)
  const smoke = flag === '--smoke'
  versions()
  await fetches(base, smoke ? 1 : 3, smoke ? 20 : 1000, smoke ? 5 : 200)
  await signedFetches(base, smoke ? 1 : 3, smoke ? 10 : 300, smoke ? 2 : 50)
  await cachedRead(base, smoke ? 1000 : 200000)
  requireTime(smoke ? 1 : 15)
  process.exit(0)
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
