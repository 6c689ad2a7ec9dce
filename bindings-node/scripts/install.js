#!/usr/bin/env node
// `npm install` hook of the source package (this directory, or a git checkout of it): builds
// the native addon with the napi-rs CLI and cargo when no binary for this platform loads.
// Published packages carry no install script: `make dist` strips it, and npm takes the
// prebuilt addon from the matching @tokenfetch/binding-<platform> optional dependency.
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
  console.error(
    'tokenfetch: no prebuilt addon for ' + process.platform + '-' + process.arch +
      ' and no sources to build one from; install from a git checkout: npm install <checkout>/bindings-node',
  )
  process.exit(1)
}
// A dependency's devDependencies are not installed, so the CLI usually comes through npx.
// `npx <pkg>@<version> napi` cannot tell which of the package's binaries to run (npm 11:
// "could not determine executable to run"); `-p` names the package and `napi` the binary.
const local = path.join(root, 'node_modules', '.bin', 'napi')
const args = ['build', '--platform', '--release', '--manifest-path', 'Cargo.toml']
const [cmd, argv] = existsSync(local)
  ? [local, args]
  : ['npx', ['--yes', '-p', '@napi-rs/cli@' + CLI_VERSION, 'napi', ...args]]
console.error('tokenfetch: building the native addon from source (napi ' + args.join(' ') + ')')
const result = spawnSync(cmd, argv, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
if (result.error || result.status !== 0) {
  console.error(
    'tokenfetch: the native build failed' + (result.error ? ' (' + result.error.message + ')' : '') +
      '; building from source needs a Rust toolchain (https://rustup.rs)',
  )
  process.exit(result.status || 1)
}
