#!/usr/bin/env node
// `npm install` hook: builds the native addon from source (napi-rs CLI + cargo) when no
// prebuilt binary for this platform can be loaded. A published package ships binaries
// (in the package or in its npm/<platform> optional dependency), so this does nothing there.
'use strict'

const { existsSync } = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const root = path.join(__dirname, '..')
const CLI_VERSION = require(path.join(root, 'package.json')).devDependencies['@napi-rs/cli']

function loadable() {
  try {
    require(path.join(root, 'index.js'))
    return true
  } catch {
    return false
  }
}

if (process.env.TOKENFETCH_SKIP_BUILD || loadable()) process.exit(0)

if (!existsSync(path.join(root, 'Cargo.toml'))) {
  console.error('tokenfetch: no prebuilt binary for ' + process.platform + '-' + process.arch + ' and no sources to build from')
  process.exit(1)
}
const local = path.join(root, 'node_modules', '.bin', 'napi')
const args = ['build', '--platform', '--release', '--manifest-path', 'Cargo.toml']
const [cmd, argv] = existsSync(local) ? [local, args] : ['npx', ['--yes', '@napi-rs/cli@' + CLI_VERSION, ...args]]
console.error('tokenfetch: building the native addon from source (cargo ' + args.join(' ') + ')')
const result = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit' })
if (result.status !== 0) {
  console.error('tokenfetch: the native build failed; a Rust toolchain (https://rustup.rs) is needed to build from source')
  process.exit(result.status || 1)
}
