'use strict'
// Keys instead of shared secrets: private_key_jwt, client_secret_jwt, the JWT bearer grant, the
// Google service account and Entra workload identity presets, and client assertions read from a
// file or a function. testkit verifies every signed assertion (signature, aud, exp, a fresh
// jti). conformance/keys.json runs here and writes target/conformance/node-keys.json for
// conformance/report.py.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { TokenClient, TokenManager, ConfigError, OAuthError } = require('..')
const { startTestkit } = require('./helpers')

const ROOT = path.join(__dirname, '..', '..')
const doc = JSON.parse(fs.readFileSync(path.join(ROOT, 'conformance', 'keys.json'), 'utf8'))
const cases = Object.fromEntries(doc.cases.map((c) => [c.name, c]))
const results = {}
const CLIENT_ID = 'jwt-client'
const BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer'
let kit

before(async () => {
  kit = await startTestkit()
})

after(() => {
  kit.stop()
  const out = path.join(ROOT, 'target', 'conformance')
  fs.mkdirSync(out, { recursive: true })
  fs.writeFileSync(path.join(out, 'node-keys.json'), JSON.stringify({ language: 'node', results }, null, 2))
})

/** Every 24-character run of the key's text: none may appear in a message. */
function fragments(key) {
  const text = typeof key === 'string' ? key : JSON.stringify(key)
  const body = text
    .split('\n')
    .filter((l) => !l.startsWith('-----'))
    .join('')
  const out = []
  for (let i = 0; i + 24 <= body.length; i += 12) out.push(body.slice(i, i + 24))
  return out
}

function clientFor(c) {
  const options = { tokenUrl: kit.tokenUrl, clientId: CLIENT_ID }
  if (c.signing_algorithm) options.signingAlgorithm = c.signing_algorithm
  if (c.key_id) options.keyId = c.key_id
  if (c.auth_method) options.authMethod = c.auth_method
  if (c.client_secret) options.clientSecret = c.client_secret
  if (c.key !== undefined) options.privateKey = c.key // a JWK stays an object
  return new TokenClient(options)
}

async function run(c) {
  if (c.expect) {
    const client = clientFor(c)
    assert.equal(client.signingAlgorithm, c.expect.algorithm)
    await client.clientCredentials() // testkit verifies the signature, aud, exp and jti
    const claims = (await kit.stats()).last_claims
    assert.deepEqual([claims.iss, claims.sub, claims.aud], [CLIENT_ID, CLIENT_ID, kit.tokenUrl])
    assert.equal(claims.exp - claims.iat, 60)
  } else {
    let error
    try {
      clientFor(c)
    } catch (e) {
      error = e
    }
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`)
    assert.ok(error.message.includes(c.error.message), error.message)
    const secrets = [...fragments(c.key ?? ''), ...(c.client_secret ? [c.client_secret] : [])]
    assert.deepEqual(
      secrets.filter((f) => error.message.includes(f)),
      [],
      'the message holds key material',
    )
  }
}

for (const c of doc.cases) {
  test(`keys/${c.name}`, async () => {
    try {
      await run(c)
      results[`keys/${c.name}`] = 'pass'
    } catch (e) {
      results[`keys/${c.name}`] = `fail: ${e.message}`
      throw e
    }
  })
}

test('a key the server does not know gets invalid_client', async () => {
  const client = new TokenClient({ tokenUrl: kit.tokenUrl, clientId: CLIENT_ID, privateKey: doc.untrusted.key })
  await assert.rejects(client.clientCredentials(), (e) => e instanceof OAuthError && e.oauthCode === 'invalid_client')
})

test('a key file, PS256, and a key never shown', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenfetch-keys-'))
  const file = path.join(dir, 'key.pem')
  fs.writeFileSync(file, cases['rsa-pkcs8-pem'].key)
  const client = new TokenClient({
    tokenUrl: kit.tokenUrl,
    clientId: CLIENT_ID,
    privateKeyFile: file,
    signingAlgorithm: 'PS256',
  })
  assert.equal(client.authMethod, 'private_key_jwt')
  assert.equal(client.signingAlgorithm, 'PS256')
  await client.clientCredentials()
  const jwk = cases['rsa-jwk'].key
  assert.throws(
    () => new TokenClient({ tokenUrl: kit.tokenUrl, clientId: CLIENT_ID, privateKey: jwk, privatKey: 1 }),
    (e) => e instanceof ConfigError && e.message.includes('privateKey') && !fragments(jwk).some((f) => e.message.includes(f)),
  )
  assert.throws(
    () => new TokenClient({ tokenUrl: kit.tokenUrl, clientId: CLIENT_ID, privateKey: 42 }),
    (e) => e instanceof ConfigError && e.message.includes('privateKey must be a string or an object'),
  )
  fs.rmSync(dir, { recursive: true })
})

test('the JWT bearer grant, and a replayed assertion refused', async () => {
  const client = new TokenClient({
    tokenUrl: kit.tokenUrl,
    clientId: 'service-7',
    authMethod: 'none',
    privateKey: cases['ec-jwk'].key,
    assertionSubject: 'ann@example.com',
  })
  const token = await new TokenManager(client, { grantType: BEARER, scope: 'read' }).token()
  assert.equal(token.scope, 'read')
  const stats = await kit.stats()
  assert.deepEqual([stats.last_claims.iss, stats.last_claims.sub], ['service-7', 'ann@example.com'])
  const first = stats.bearer_assertions.at(-1)
  await assert.rejects(
    client.requestToken({ grantType: BEARER, params: { assertion: first } }),
    (e) => e instanceof OAuthError && e.oauthCode === 'invalid_grant' && e.message.includes('replayed') && !e.message.includes(first),
  )
})

test('a Google service account signs its scope into the assertion', async () => {
  const key = await (await fetch(`${kit.url}/__google_service_account`)).json()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenfetch-google-'))
  const file = path.join(dir, 'sa.json')
  fs.writeFileSync(file, JSON.stringify(key))
  const scope = 'https://www.googleapis.com/auth/cloud-platform'
  const client = TokenClient.googleServiceAccount({ serviceAccountFile: file, scope })
  assert.equal((await new TokenManager(client).token()).scope, scope)
  const claims = (await kit.stats()).last_claims
  assert.equal(claims.iss, 'robot@testkit.iam.gserviceaccount.com')
  assert.equal(claims.scope, scope)
  assert.equal(claims.sub, undefined)
  const delegated = TokenClient.googleServiceAccount({ serviceAccount: key, assertionSubject: 'admin@example.com' })
  await new TokenManager(delegated).token()
  assert.equal((await kit.stats()).last_claims.sub, 'admin@example.com')
  assert.throws(
    () => TokenClient.googleServiceAccount({ serviceAccount: { ...key, type: 'external_account' } }),
    (e) => e instanceof ConfigError && e.message.includes('not "service_account"'),
  )
  fs.rmSync(dir, { recursive: true })
})

test('a token file is read again for every request', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenfetch-federated-'))
  const file = path.join(dir, 'token')
  fs.writeFileSync(file, 'node-federated-one')
  const client = new TokenClient({ tokenUrl: kit.scenarioUrl('federated'), clientId: CLIENT_ID, clientAssertionFile: file })
  await client.clientCredentials()
  fs.writeFileSync(file, 'node-federated-two')
  client.clientCredentialsSync()
  assert.deepEqual((await kit.stats()).client_assertions.slice(-2), ['node-federated-one', 'node-federated-two'])
  fs.rmSync(dir, { recursive: true })
  await assert.rejects(client.clientCredentials(), (e) => e instanceof ConfigError && e.message.includes(file))
})

test('a clientAssertion function, sync or async, is called for every request', async () => {
  let calls = 0
  const client = new TokenClient({
    tokenUrl: kit.scenarioUrl('federated'),
    clientId: CLIENT_ID,
    clientAssertion: async () => {
      calls += 1
      if (calls === 3) throw new Error('the OIDC endpoint is down')
      return `node-callback-${calls}`
    },
  })
  await client.clientCredentials()
  await client.clientCredentials()
  assert.deepEqual((await kit.stats()).client_assertions.slice(-2), ['node-callback-1', 'node-callback-2'])
  await assert.rejects(
    client.clientCredentials(),
    (e) => e instanceof ConfigError && e.message.includes('the OIDC endpoint is down'),
  )
  // A ...Sync call runs on the event loop, which cannot also run the function.
  assert.throws(
    () => client.clientCredentialsSync(),
    (e) => e instanceof ConfigError && e.message.includes('clientAssertionFile'),
  )
  const plain = new TokenClient({ tokenUrl: kit.scenarioUrl('federated'), clientId: CLIENT_ID, clientAssertion: () => 'node-plain' })
  await plain.clientCredentials()
  assert.equal((await kit.stats()).client_assertions.at(-1), 'node-plain')
  const wrong = new TokenClient({ tokenUrl: kit.scenarioUrl('federated'), clientId: CLIENT_ID, clientAssertion: () => 42 })
  await assert.rejects(wrong.clientCredentials(), (e) => e instanceof ConfigError && e.message.includes('not a string'))
  assert.throws(
    () => new TokenClient({ tokenUrl: kit.tokenUrl, clientId: CLIENT_ID, clientAssertion: 'x' }),
    (e) => e instanceof ConfigError && e.message.includes('clientAssertion must be a function'),
  )
})

test('Entra workload identity reads the AZURE_* variables', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tokenfetch-entra-'))
  const file = path.join(dir, 'azure-identity-token')
  fs.writeFileSync(file, 'node-entra-token')
  const saved = { ...process.env }
  Object.assign(process.env, {
    AZURE_CLIENT_ID: '00000000-1111-2222-3333-444444444444',
    AZURE_TENANT_ID: 'contoso.onmicrosoft.com',
    AZURE_FEDERATED_TOKEN_FILE: file,
    AZURE_AUTHORITY_HOST: kit.url,
  })
  try {
    const client = TokenClient.entraWorkloadIdentity({ headers: { 'X-Testkit-Scenario': 'federated' } })
    assert.equal(client.tokenUrl, `${kit.url}/contoso.onmicrosoft.com/oauth2/v2.0/token`)
    await client.clientCredentials({ scope: 'api://x/.default' })
    assert.equal((await kit.stats()).client_assertions.at(-1), 'node-entra-token')
    delete process.env.AZURE_TENANT_ID
    assert.throws(
      () => TokenClient.entraWorkloadIdentity(),
      (e) => e instanceof ConfigError && e.message.includes('AZURE_TENANT_ID is not set') && e.message.includes('tenantId'),
    )
  } finally {
    process.env = saved
    fs.rmSync(dir, { recursive: true })
  }
})

test('whatever a clientAssertion function throws is a ConfigError, never a crash', async () => {
  for (const thrown of [Object.create(null), 42, undefined, { message: 7 }]) {
    const client = new TokenClient({
      tokenUrl: kit.scenarioUrl('federated'),
      clientId: CLIENT_ID,
      clientAssertion: () => {
        throw thrown
      },
    })
    await assert.rejects(client.clientCredentials(), (e) => e instanceof ConfigError)
  }
})

test('a Promise that never settles ends with the call\'s timeout', async () => {
  const client = new TokenClient({
    tokenUrl: kit.scenarioUrl('federated'),
    clientId: CLIENT_ID,
    timeoutMs: 300,
    clientAssertion: () => new Promise(() => {}),
  })
  const started = Date.now()
  await assert.rejects(client.clientCredentials(), (e) => e.kind === 'timeout')
  assert.ok(Date.now() - started < 5000)
})
