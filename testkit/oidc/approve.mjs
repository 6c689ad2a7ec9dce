// Plays the user's browser in the OAuth 2.0 device flow (RFC 8628) against the testkit's
// oidc-provider (server.mjs). The integration suites of every language call it to approve or
// deny a device code the way a person would: the issue asks that approval go through the
// provider's own HTML forms, so nothing here reaches into the provider's internals.
//
//   node testkit/oidc/approve.mjs <verification_uri_complete> approve|deny
//
// It opens the verification URI, then keeps submitting the first form of each page (user code
// confirmation, dev-interactions login, consent) with a cookie jar and manual redirects, until
// the provider shows its success page (approve) or its "interrupted" page (deny). It prints
// `approved` or `denied` and exits 0; anything else goes to stderr with exit 1. Node >= 20, no
// dependencies. It never prints cookies.

const MAX_STEPS = 15;
// The dev interactions accept any account; the suites only need *a* user to approve.
const ACCOUNT = { login: 'device-user', password: 'pass' };

const [uri, decision, redirectPrefix] = process.argv.slice(2);
if (!uri || !['approve', 'deny', 'sign-in'].includes(decision) || (decision === 'sign-in') !== Boolean(redirectPrefix)) {
  console.error('usage: node approve.mjs <verification_uri_complete> approve|deny');
  console.error('       node approve.mjs <authorization_url> sign-in <redirect_uri>');
  process.exit(2);
}

function fail(step, message, res, html = '') {
  // Style and script blocks are noise; the visible text says what the provider complained about.
  const text = html.replace(/<(style|script)\b[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ').trim().slice(0, 400);
  const where = res ? ` (HTTP ${res.status} ${res.url})` : '';
  console.error(`approve.mjs: step ${step}: ${message}${where}`);
  if (text) console.error(`  page: ${text}`);
  process.exit(1);
}

// Cookie jar: oidc-provider scopes its interaction cookies to /interaction/<uid> and
// /device/<uid>, so paths are honoured as a browser would; expired cookies are deletions.
const jar = new Map();
function storeCookies(res, url) {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    const name = pair.slice(0, eq).trim();
    let path = url.pathname.replace(/\/[^/]*$/, '') || '/';
    let expired = false;
    for (const attribute of attributes) {
      const [key, value = ''] = attribute.split('=').map((s) => s.trim());
      if (/^path$/i.test(key) && value.startsWith('/')) path = value;
      if (/^max-age$/i.test(key) && Number(value) <= 0) expired = true;
      if (/^expires$/i.test(key) && Date.parse(value) <= Date.now()) expired = true;
    }
    const key = `${path}\n${name}`;
    if (expired) jar.delete(key);
    else jar.set(key, { name, value: pair.slice(eq + 1).trim(), path });
  }
}
function cookieHeader(url) {
  const p = url.pathname;
  return [...jar.values()]
    .filter((c) => p === c.path || p.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
    .map((c) => `${c.name}=${c.value}`).join('; ');
}

const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };
const decode = (s) => s.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, e) => ENTITIES[e]);
function attributesOf(source) {
  const out = {};
  for (const m of source.matchAll(/([^\s=<>/"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    out[m[1].toLowerCase()] = decode(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return out;
}

// The first <form> with its inputs and the buttons that submit it. The provider's device
// confirm page puts its buttons *outside* the form, tied to it by form="op.deviceConfirmForm",
// so buttons are collected from the whole page with the HTML association rule.
function parseForm(html) {
  const m = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html);
  if (!m) return undefined;
  const form = attributesOf(m[1]);
  const start = m.index;
  const end = m.index + m[0].length;
  const inputs = [];
  for (const [, source] of m[2].matchAll(/<input\b([^>]*)>/gi)) {
    const a = attributesOf(source);
    if (a.name && !['submit', 'button', 'image', 'reset'].includes(a.type)) {
      inputs.push([a.name, a.value ?? '']);
    }
  }
  const buttons = [];
  for (const b of html.matchAll(/<button\b([^>]*)>([\s\S]*?)<\/button>/gi)) {
    const a = attributesOf(b[1]);
    const inside = b.index > start && b.index < end;
    if (a.form ? a.form === form.id : inside) buttons.push(a);
  }
  const method = (form.method || 'get').toUpperCase();
  return { id: form.id, action: form.action, method, inputs, buttons };
}

let url = new URL(uri);
let method = 'GET';
let body;
for (let step = 1; step <= MAX_STEPS; step += 1) {
  const headers = { accept: 'text/html' };
  const cookies = cookieHeader(url);
  if (cookies) headers.cookie = cookies;
  if (body) headers['content-type'] = 'application/x-www-form-urlencoded';
  const res = await fetch(url, { method, headers, body, redirect: 'manual' })
    .catch((err) => fail(step, `${method} ${url.origin}${url.pathname}: ${err.cause?.message ?? err}`));
  storeCookies(res, url);
  const html = await res.text();

  const location = res.headers.get('location');
  // The authorization code flow ends where the provider sends the browser back to the app:
  // that URL (code, state, iss) is the callback the app's handler reads.
  if (decision === 'sign-in' && location && location.startsWith(redirectPrefix)) {
    console.log(location);
    process.exit(0);
  }
  if (res.status >= 300 && res.status < 400 && location) {
    // Every redirect in this flow (302/303) turns into a GET, as in a browser.
    url = new URL(location, url);
    method = 'GET';
    body = undefined;
    continue;
  }
  if (res.status >= 400) fail(step, 'the provider answered with an error', res, html);

  // The two ends: deviceFlow.successSource, and the user-code page re-rendered after an abort.
  const succeeded = /<title>Sign-in Success<\/title>/i.test(html);
  const aborted = html.includes('The Sign-in request was interrupted');
  if (succeeded || aborted) {
    const reached = succeeded ? 'approve' : 'deny';
    if (reached !== decision) {
      fail(step, `wanted to ${decision} but the provider shows the ${reached} outcome`, res, html);
    }
    console.log(succeeded ? 'approved' : 'denied');
    process.exit(0);
  }
  // Any other re-render of the code input page means the code was unknown, expired or used.
  if (html.includes('op.deviceInputForm')) {
    fail(step, 'the provider rejected the user code (unknown, expired or already used)', res, html);
  }

  const form = parseForm(html);
  if (!form) fail(step, 'page has no form and is not the success page', res, html);
  const fields = new URLSearchParams(form.inputs);
  let button;
  if (form.id === 'op.deviceConfirmForm') {
    // "Continue" (no name: the hidden confirm=yes does the work) or "[ Abort ]" (abort=yes).
    const wantAbort = decision === 'deny';
    button = form.buttons.find((b) => (b.name === 'abort') === wantAbort);
    if (!button) fail(step, `no ${decision} button on the confirmation page`, res, html);
  } else {
    if (fields.has('login')) fields.set('login', ACCOUNT.login);
    if (fields.has('password')) fields.set('password', ACCOUNT.password);
    [button] = form.buttons; // the login and consent forms are submitted as they are
  }
  // A pressed button with a name is sent as a field, exactly as a browser does.
  if (button?.name) fields.append(button.name, button.value ?? '');

  url = new URL(form.action || url.href, url);
  if (form.method === 'GET') {
    url.search = fields.toString();
    method = 'GET';
    body = undefined;
  } else {
    method = 'POST';
    body = fields.toString();
  }
}
fail(MAX_STEPS, `gave up after ${MAX_STEPS} steps without reaching the success or aborted page`);
