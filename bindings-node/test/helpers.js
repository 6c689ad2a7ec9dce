'use strict'
// Starts a testkit server for one test file and stops it by its PID.
const { spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const ROOT = path.join(__dirname, '..', '..')

async function startTestkit() {
  const binary = process.env.TESTKIT_BIN || path.join(ROOT, 'target', 'debug', 'testkit')
  const child = spawn(binary, ['--exit-on-stdin-eof'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const url = await new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout })
    lines.once('line', (line) => {
      if (line.startsWith('TESTKIT_URL=')) resolve(line.slice('TESTKIT_URL='.length))
      else reject(new Error('testkit printed ' + line))
    })
    child.once('error', reject)
    child.once('exit', (code) => reject(new Error('testkit exited with ' + code)))
  })
  return {
    url,
    tokenUrl: url + '/token',
    /** The token endpoint playing one scenario. The scenario goes in the path: tokenfetch
     * treats header values as credentials and scrubs them from answers. */
    scenarioUrl(name) {
      return `${url}/scenario/${name}/token`
    },
    async requestsWithGrant(grant) {
      return (await this.stats()).by_grant[grant] ?? 0
    },
    async stats() {
      return (await fetch(url + '/__stats')).json()
    },
    /** The CA (PEM) and the HTTPS token URLs: https_url, expired_url, wrong_host_url. */
    async tls() {
      return (await fetch(url + '/__tls')).json()
    },
    /** testkit's proxies: connect_url and socks_url (with their credentials), password, and the tunnels and targets so far. */
    async proxy() {
      return (await fetch(url + '/__proxy')).json()
    },
    /** Whether `text` crossed a proxy's tunnel in clear. */
    async proxySaw(text) {
      return (await (await fetch(url + '/__proxy/saw?text=' + encodeURIComponent(text))).json()).saw
    },
    async tokenRequests() {
      return (await this.stats()).token_requests
    },
    async reset() {
      await fetch(url + '/__reset', { method: 'POST' })
    },
    stop() {
      child.stdin.end()
      child.kill()
    },
  }
}

module.exports = { startTestkit }
