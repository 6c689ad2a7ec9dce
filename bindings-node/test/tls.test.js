'use strict'
// TLS against the testkit's HTTPS listeners, whose certificates a generated CA signed.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { TokenClient, TransportError, ConfigError } = require('..')
const { startTestkit } = require('./helpers.js')

let kit
let tls
before(async () => {
  kit = await startTestkit()
  tls = await kit.tls()
})
after(() => kit.stop())

const httpsClient = (tokenUrl, options = {}) => new TokenClient({ tokenUrl, clientId: 'n', clientSecret: 'n-tls', maxRetries: 0, ...options })

test('a private CA can be trusted, as one PEM or a list', async () => {
  for (const rootCertificates of [tls.ca_pem, [tls.ca_pem]]) {
    const token = await httpsClient(tls.https_url, { rootCertificates }).clientCredentials()
    assert.match(token.accessToken, /^at-/)
  }
})

test('without the CA the issuer is unknown', async () => {
  await assert.rejects(httpsClient(tls.https_url).clientCredentials(), (e) => e instanceof TransportError && /unknown issuer/.test(e.message))
})

test('an expired certificate and a wrong host name are refused even with the CA', async () => {
  for (const [url, says] of [
    [tls.expired_url, /expired/],
    [tls.wrong_host_url, /not valid for this host name/],
  ]) {
    await assert.rejects(httpsClient(url, { rootCertificates: tls.ca_pem }).clientCredentials(), (e) => e instanceof TransportError && says.test(e.message))
  }
})

test('the OS trust store takes extra CAs', async () => {
  await assert.rejects(httpsClient(tls.https_url, { useOsTrustStore: true }).clientCredentials(), /unknown issuer/)
  await httpsClient(tls.https_url, { useOsTrustStore: true, rootCertificates: tls.ca_pem }).clientCredentials()
})

test('a PEM without a certificate is a ConfigError', () => {
  assert.throws(() => httpsClient('https://auth.example/token', { rootCertificates: 'not a pem' }), ConfigError)
})
