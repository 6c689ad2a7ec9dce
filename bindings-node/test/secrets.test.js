'use strict'
// No secret in any output, in any encoding, against a server that echoes the request back.
// Every credential holds `space & + = / % " \ : @ é`; every output a user could print
// (message, util.inspect, JSON.stringify, httpMeta) is scanned for every form of every
// credential: raw, form-encoded (+ and %20), percent-encoded in either hex case,
// JSON-escaped, HTML-escaped, the decoded Basic pair and the Basic base64 (standard and
// URL-safe, with and without padding).
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { inspect } = require('node:util')
const { TokenClient, TokenFetchError, ConfigError } = require('..')
const { startTestkit } = require('./helpers.js')

let kit
before(async () => {
  kit = await startTestkit()
})
after(() => kit.stop())

const HOSTILE = 's p&c+e=/%"\\:@é'
const CLIENT_ID = 'my id:é'
const credential = (tag) => `${tag}-${HOSTILE}-end`
const S = Object.fromEntries(
  ['client-secret', 'query-key', 'assertion', 'api-key', 'subscription', 'password', 'refresh', 'code', 'verifier', 'device', 'subject', 'actor'].map(
    (name) => [name, credential(name)],
  ),
)

// application/x-www-form-urlencoded as the WHATWG URL standard writes it (space as +).
const formEncode = (s) => new URLSearchParams({ x: s }).toString().slice(2)
const lowerHex = (s) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase())
function forms(secret) {
  const form = formEncode(secret)
  const uri = encodeURIComponent(secret).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
  const json = JSON.stringify(secret).slice(1, -1)
  const jsonAscii = json.replace(/[^\x00-\x7f]/g, (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'))
  const html = secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')
  return new Set([secret, form, form.replace(/\+/g, '%20'), lowerHex(form), uri, lowerHex(uri), json, jsonAscii, html])
}
function basicForms(id, secret) {
  const pair = `${formEncode(id)}:${formEncode(secret)}`
  const std = Buffer.from(pair).toString('base64')
  const url = Buffer.from(pair).toString('base64url')
  return new Set([pair, `${id}:${secret}`, std, std.replace(/=+$/, ''), url, url + '='.repeat((4 - (url.length % 4)) % 4)])
}
const FORBIDDEN = [
  ...Object.entries(S).flatMap(([name, value]) => [...forms(value)].map((form) => [name, form])),
  ...[...basicForms(CLIENT_ID, S['client-secret'])].map((form) => ['Basic credentials', form]),
]
const leaks = (text) => FORBIDDEN.filter(([, form]) => text.includes(form)).map(([name, form]) => `${name} as ${JSON.stringify(form)}`)

function client(scenario, authMethod, bodyEncoding) {
  return new TokenClient({
    tokenUrl: `${kit.scenarioUrl(scenario)}?api_key=${formEncode(S['query-key'])}`,
    clientId: CLIENT_ID,
    clientSecret: S['client-secret'],
    authMethod,
    bodyEncoding,
    extraParams: { client_assertion: S.assertion },
    headers: { 'X-Api-Key': S['api-key'], 'Ocp-Apim-Subscription-Key': S.subscription },
    maxRetries: 0,
  })
}

const grants = [
  { grantType: 'client_credentials' },
  { grantType: 'password', params: { username: 'ann', password: S.password } },
  { grantType: 'refresh_token', params: { refresh_token: S.refresh } },
  { grantType: 'authorization_code', params: { code: S.code, redirect_uri: 'app://cb', code_verifier: S.verifier } },
  { grantType: 'urn:ietf:params:oauth:grant-type:device_code', params: { device_code: S.device } },
  {
    grantType: 'urn:ietf:params:oauth:grant-type:token-exchange',
    params: { subject_token: S.subject, subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', actor_token: S.actor },
  },
]

for (const scenario of ['echo_html', 'echo_json', 'echo_form', 'echo_text', 'echo_headers', 'echo']) {
  test(`no credential is echoed back in any encoding: ${scenario}`, async () => {
    const printed = []
    for (const authMethod of ['client_secret_basic', 'client_secret_post']) {
      for (const bodyEncoding of ['form', 'json']) {
        const c = client(scenario, authMethod, bodyEncoding)
        printed.push(inspect(c), JSON.stringify(c), c.tokenUrl)
        for (const grant of grants) {
          try {
            const answer = await c.requestToken(grant)
            printed.push(inspect(answer, { depth: 10 }), JSON.stringify(answer), String(answer.tokenResponse))
          } catch (e) {
            assert.ok(e instanceof TokenFetchError, String(e))
            assert.ok(e.httpMeta, 'an answered request has metadata')
            printed.push(e.message, inspect(e, { depth: 10 }), JSON.stringify(e.httpMeta), String(e.stack))
          }
        }
      }
    }
    assert.ok(printed.some((t) => t.includes('[redacted]')), `${scenario} echoed nothing`)
    const found = printed.flatMap(leaks)
    assert.deepEqual(found.slice(0, 5), [])
  })
}

test('the scan catches each form it claims to', () => {
  for (const form of [...forms(S['client-secret']), ...basicForms(CLIENT_ID, S['client-secret'])]) {
    assert.ok(leaks(`... ${form} ...`).length > 0, form)
  }
})

test('a URL with credentials is never echoed in a config error', () => {
  for (const tokenUrl of ['https://id:s3cr3t-pw@auth.example/token', 'https://id:s3cr3t-pw@[::1/token']) {
    assert.throws(
      () => new TokenClient({ tokenUrl, clientId: 'x', clientSecret: 'y' }),
      (e) => e instanceof ConfigError && !e.message.includes('s3cr3t'),
    )
  }
})

test('a successful answer echoing the request shows no credential when printed', async () => {
  // testkit's echo_200 endpoints copy the request, Authorization header included, into a 200.
  const [id, secret] = ['echo-id', 'echo-secret-5a7d']
  const basic = Buffer.from(`${id}:${secret}`).toString('base64')
  const client = new TokenClient({
    tokenUrl: kit.tokenUrl,
    clientId: id,
    clientSecret: secret,
    introspectionEndpoint: `${kit.url}/echo_200/introspect`,
    deviceAuthorizationEndpoint: `${kit.url}/echo_200/device_authorization`,
  })
  const introspection = await client.introspect('tok-en-secret')
  const codes = await client.deviceAuthorization({ scope: 'read' })
  for (const shown of [String(codes), inspect(codes), JSON.stringify(codes), inspect(introspection), JSON.stringify(introspection)]) {
    for (const value of [secret, basic, 'tok-en-secret']) {
      assert.ok(!shown.includes(value), `${value} in ${shown}`)
    }
  }
})
