'use strict'
// Proxies: a client's own `proxy` and `noProxy`, the environment's variables (read when the
// client is built; `trustEnv: false` ignores them), and the errors of a proxy that refuses or
// is down. testkit's proxies ask for a password, reach any name under `.proxied.test` (which
// no resolver knows), and log every tunnel and every byte sent through it.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const net = require('node:net')
const { TokenClient, TransportError, ConfigError } = require('..')
const { startTestkit } = require('./helpers.js')

const SECRET = 'node-s3cret-through-the-proxy'
let kit
let port
before(async () => {
  kit = await startTestkit()
  port = new URL(kit.url).port
})
after(() => kit.stop())

const proxiedUrl = (host = 'token.proxied.test') => `http://${host}:${port}/token`
const client = (tokenUrl, options = {}) =>
  new TokenClient({ tokenUrl, clientId: 'node-proxied', clientSecret: SECRET, allowInsecureHttp: true, trustEnv: false, ...options })

test("a client's proxy carries its fetch and resolves the name itself", async () => {
  await kit.reset()
  const { connect_url: proxy } = await kit.proxy()
  const token = await client(proxiedUrl(), { proxy }).clientCredentials()
  assert.match(token.accessToken, /^at-/)
  assert.deepEqual((await kit.proxy()).targets, [`token.proxied.test:${port}`])
  // The synchronous call takes the same route.
  client(proxiedUrl(), { proxy }).clientCredentialsSync()
  assert.equal((await kit.proxy()).tunnels, 2)
})

test('HTTPS through an HTTP, HTTPS or SOCKS5 proxy stays end to end', async () => {
  const tls = await kit.tls()
  for (const which of ['connect_url', 'tls_connect_url', 'socks_url']) {
    await kit.reset()
    const proxy = (await kit.proxy())[which]
    const token = await new TokenClient({
      tokenUrl: tls.https_url, clientId: 'node-proxied', clientSecret: SECRET, rootCertificates: tls.ca_pem, proxy, trustEnv: false,
    }).clientCredentials()
    assert.equal((await kit.proxy()).tunnels, 1, which)
    for (const clear of [SECRET, 'grant_type', token.accessToken]) {
      assert.equal(await kit.proxySaw(clear), false, `${clear} crossed ${which} in clear`)
    }
  }
})

test('noProxy sends its hosts direct', async () => {
  await kit.reset()
  const { connect_url: proxy } = await kit.proxy()
  for (const noProxy of ['127.0.0.1', ['10.0.0.0/8', '127.0.0.0/8'], '*', `127.0.0.1:${port}`]) {
    await client(kit.tokenUrl, { proxy, noProxy }).clientCredentials()
  }
  assert.equal((await kit.proxy()).tunnels, 0)
  await client(kit.tokenUrl, { proxy, noProxy: '127.0.0.1:1' }).clientCredentials()
  assert.equal((await kit.proxy()).tunnels, 1)
})

test('the environment applies unless trustEnv is false, read when the client is built', async () => {
  await kit.reset()
  const names = ['HTTP_PROXY', 'NO_PROXY', 'no_proxy']
  const saved = Object.fromEntries(names.map((n) => [n, process.env[n]]))
  try {
    process.env.HTTP_PROXY = (await kit.proxy()).connect_url
    delete process.env.NO_PROXY
    delete process.env.no_proxy
    const fromEnv = client(proxiedUrl(), { trustEnv: true })
    const ignoring = client(kit.tokenUrl)
    delete process.env.HTTP_PROXY
    await fromEnv.clientCredentials()
    await ignoring.clientCredentials()
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name]
      else process.env[name] = value
    }
  }
  assert.equal((await kit.proxy()).tunnels, 1)
})

test('a bad proxy is a ConfigError without its password', () => {
  for (const proxy of ['ftp://me:hunter2@proxy.test:21', 'proxy.test:3128', 'http://me:hunter2@proxy.test/path']) {
    assert.throws(() => client('https://auth.example.com/token', { proxy }), (e) => e instanceof ConfigError && /proxy/.test(e.message) && !e.message.includes('hunter2'))
  }
  assert.throws(() => client('https://auth.example.com/token', { noProxy: '10.0.0.0/33' }), (e) => e instanceof ConfigError && /no_proxy entry/.test(e.message))
  assert.throws(() => client('https://auth.example.com/token', { proxies: 'http://p:1' }), (e) => e instanceof ConfigError && /proxy/.test(e.message))
})

test('a refusing proxy is one attempt, named without its password', async () => {
  await kit.reset()
  const at = (await kit.proxy()).connect_url.split('@').pop()
  const refused = client(proxiedUrl(), { proxy: `http://tf-proxy:wr0ng-p%40ss@${at}`, maxRetries: 3 })
  await assert.rejects(refused.clientCredentials(), (e) => {
    const shown = `${e.message} ${JSON.stringify(e.httpMeta)} ${require('node:util').inspect(e)}`
    assert.ok(e instanceof TransportError, shown)
    assert.match(e.message, new RegExp(`the proxy http://${at} refused.*407`))
    assert.ok(!shown.includes('wr0ng'), shown)
    return true
  })
  const seen = await kit.proxy()
  assert.equal(seen.refused, 1, 'refused once, not retried')
  assert.equal(await kit.tokenRequests(), 0)
})

test('a proxy that is down is named with the request it stopped', async () => {
  const server = net.createServer()
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  const downPort = server.address().port
  await new Promise((resolve) => server.close(resolve))
  const down = client('https://auth.example.com/oauth/token', { proxy: `http://me:hunter2@127.0.0.1:${downPort}`, maxRetries: 0 })
  await assert.rejects(down.clientCredentials(), (e) => {
    assert.ok(e instanceof TransportError)
    assert.ok(e.message.includes(`could not reach the proxy http://127.0.0.1:${downPort}`), e.message)
    assert.ok(e.message.includes('POST https://auth.example.com/oauth/token'), e.message)
    assert.ok(!e.message.includes('hunter2'))
    return true
  })
})
