// bdfu's web page. Plain JavaScript, no libraries, no build step beyond embedding.
// Every URL is relative to the endpoint (read from <meta name="bdfu-endpoint">), so the page
// works under any mount point. File names are only ever set as text, never as HTML.

const TOKEN_KEY = 'bdfu.token';
const endpoint = new URL(document.querySelector('meta[name="bdfu-endpoint"]').content, location.href);
const $ = (id) => document.getElementById(id);

const state = { token: '', claims: null, viewing: '', shownUser: '', expiryTimer: 0, pendingToken: '', folder: '', versionsOf: '' };

// ---------- small helpers ----------

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === 'text') node.textContent = value;
    else if (key === 'class') node.className = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function humanBytes(n) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(n < 10 ? 1 : 0)} ${units[i]}`;
}

function humanTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function say(message) {
  $('status').textContent = message;
}

const api = (path) => new URL(path, endpoint);
const userPath = (user) => `files/${encodeURIComponent(user)}/`;
const filePath = (user, id) => `${userPath(user)}${encodeURIComponent(id)}`;

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function apiError(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: a proxy's page, say
  }
  return new ApiError(response.status, body?.code ?? '', body?.error ?? `${response.status} ${response.statusText}`);
}

async function call(method, path, options = {}) {
  const headers = { authorization: `Bearer ${state.token}`, ...(options.headers ?? {}) };
  const response = await fetch(api(path), { method, headers, body: options.body, cache: 'no-store', credentials: 'omit' });
  if (!response.ok) throw await apiError(response);
  return response;
}

/** A token problem sends the user back to the sign-in form; anything else is said in the status line. */
function report(error, doing) {
  if (error instanceof ApiError && error.status === 401) {
    signOut(error.code === 'token_expired' ? 'Your token has expired. Paste a new one to continue.' : `The server did not accept your token: ${error.message}`);
    return;
  }
  say(`Could not ${doing}: ${error.message}`);
}

// ---------- signing in ----------

function decodeClaims(token) {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const json = atob(parts[1].replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(json, (c) => c.charCodeAt(0))));
    return typeof claims === 'object' && claims !== null ? claims : null;
  } catch {
    return null;
  }
}

const scopesOf = (claims) => new Set(typeof claims.scope === 'string' ? claims.scope.split(/\s+/) : ['upload']);
const userOf = (claims) => (typeof claims.user === 'string' ? claims.user : typeof claims.sub === 'string' ? claims.sub : '');
const isExpired = (claims) => typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now();

function showSignIn(reason) {
  $('who').hidden = true;
  for (const id of ['upload', 'files', 'documents', 'apps', 'audit']) $(id).hidden = true;
  $('sign-in').hidden = false;
  $('sign-in-reason').textContent = reason ?? '';
  $('token-input').value = '';
  $('token-input').focus();
}

function signOut(reason) {
  sessionStorage.removeItem(TOKEN_KEY);
  clearTimeout(state.expiryTimer);
  state.token = '';
  state.claims = null;
  state.pendingToken = '';
  $('switch-user').hidden = true;
  say('');
  showSignIn(reason);
}

/** The claims are read for display only: the server checks the token on every request. */
function signIn(token) {
  token = token.trim();
  const claims = decodeClaims(token);
  if (!claims || !userOf(claims)) {
    signOut('That is not a bdfu token (a long text in three parts separated by dots). Check that you copied all of it.');
    return;
  }
  if (isExpired(claims)) {
    signOut('This token has expired. Ask for a new one and paste it here.');
    return;
  }
  // Another person's uploads are not this one's business; one's own failed ones stay, to retry.
  if (state.shownUser !== userOf(claims)) $('uploads').replaceChildren();
  state.shownUser = userOf(claims);
  sessionStorage.setItem(TOKEN_KEY, token);
  state.token = token;
  state.claims = claims;
  clearTimeout(state.expiryTimer);
  if (typeof claims.exp === 'number') {
    // setTimeout cannot wait longer than about 24 days.
    const wait = Math.min(claims.exp * 1000 - Date.now(), 2 ** 31 - 1);
    state.expiryTimer = setTimeout(() => signOut('Your token has expired. Paste a new one to continue.'), wait);
  }
  const scopes = scopesOf(claims);
  $('sign-in').hidden = true;
  $('who').hidden = false;
  $('who-name').textContent = userOf(claims) + (scopes.has('admin') ? ' (admin)' : '');
  const modules = storageModules(claims);
  // A token for remoteStorage only has no files to show.
  const storageOnly = modules.size > 0 && !['upload', 'read', 'delete', 'admin'].some((scope) => scopes.has(scope));
  $('upload').hidden = !scopes.has('upload') && !scopes.has('admin');
  $('files').hidden = storageOnly;
  $('documents').hidden = modules.size === 0;
  $('audit').hidden = !scopes.has('admin');
  // An app's own token (from the OAuth dialog) may not see or change which apps are allowed.
  $('apps').hidden = typeof claims.azp === 'string';
  state.viewing = userOf(claims);
  say(`Signed in as ${userOf(claims)}.`);
  if (!storageOnly) void showFiles();
  if (modules.size > 0) openFolder(topFolder());
  if (!$('apps').hidden) void showApps();
  if (!$('upload').hidden) void offerResumes();
  if (scopes.has('admin')) {
    void loadUsers();
    void showAudit();
  }
}

/** An account's name and password, traded at {endpoint}sign-in for a short-lived token. */
async function signInWithPassword(user, password) {
  $('password-input').value = '';
  let response;
  try {
    response = await fetch(api('sign-in'), {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user, password }), cache: 'no-store', credentials: 'omit',
    });
  } catch (error) {
    $('sign-in-reason').textContent = `Could not reach the server: ${error.message}`;
    return;
  }
  if (response.ok) {
    signIn((await response.json()).token);
    return;
  }
  const wait = Math.ceil(Number(response.headers.get('retry-after') ?? 60) / 60);
  const error = await apiError(response);
  $('sign-in-reason').textContent = error.code === 'bad_credentials' ? 'Wrong user name or password.'
    : error.code === 'too_many_tries' ? `Too many sign-in tries. Try again in ${wait} minute${wait === 1 ? '' : 's'}.`
    : error.message;
  $('password-input').focus();
}

/**
 * A sign-in link opened while someone is signed in: switching to its user could make the
 * person upload into another account (login CSRF), so a different user is asked for first.
 */
function signInFromLink(token) {
  const claims = decodeClaims(token.trim());
  const current = state.claims ? userOf(state.claims) : '';
  const next = claims ? userOf(claims) : '';
  if (!current || !next || next === current) {
    signIn(token);
    return;
  }
  state.pendingToken = token;
  $('switch-current').textContent = current;
  $('switch-new').textContent = next;
  $('switch-new-again').textContent = next;
  $('switch-confirm').textContent = `Switch to ${next}`;
  $('switch-cancel').textContent = `Stay signed in as ${current}`;
  $('switch-user').hidden = false;
  $('switch-cancel').focus();
}

function answerSwitch(confirmed) {
  const token = state.pendingToken;
  state.pendingToken = '';
  $('switch-user').hidden = true;
  if (confirmed && token) signIn(token);
  else say(`Still signed in as ${userOf(state.claims ?? {})}; the link was not used.`);
}

function tokenFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  const token = params.get('token');
  if (token === null) return null;
  // Out of the address bar and the history, so it is not shared or bookmarked by accident.
  history.replaceState(null, '', location.pathname + location.search);
  return token;
}

// ---------- uploads ----------

function uploadItem(file) {
  const bar = el('progress', { max: '100', value: '0', 'aria-label': `Progress of ${file.name}` });
  const info = el('span', { class: 'info', text: 'Waiting…' });
  const cancel = el('button', { type: 'button', text: 'Cancel', 'aria-label': `Cancel upload of ${file.name}` });
  const retry = el('button', { type: 'button', text: 'Retry', hidden: '', 'aria-label': `Retry upload of ${file.name}` });
  const li = el('li', {}, [
    el('span', { class: 'name', text: file.name }),
    el('span', { class: 'buttons' }, [cancel, retry]),
    bar,
    info,
  ]);
  const item = { file, li, bar, info, cancel, retry, xhr: null, cancelled: false };
  cancel.addEventListener('click', () => {
    item.cancelled = true;
    item.xhr?.abort();
  });
  retry.addEventListener('click', () => send(item));
  return item;
}

function failureReason(status, body) {
  const code = body?.code ?? '';
  const message = body?.error ?? '';
  if (status === 413 || code.includes('too_large')) return `Too large: ${message || 'the server refused a file this big.'}`;
  if (code === 'token_expired') return 'Your token has expired: sign in with a new one, then retry.';
  if (status === 401) return `Your token was refused: ${message}`;
  if (status === 403) return `Not allowed: ${message}`;
  if (status === 507) return 'The server is out of space.';
  if (status >= 500) return `Server error (${status}): ${message || 'try again later.'}`;
  return message || `Failed with status ${status}.`;
}

function settle(item, outcome, text) {
  item.li.className = outcome;
  item.info.textContent = text;
  item.cancel.hidden = true;
  item.retry.hidden = outcome === 'done';
  item.xhr = null;
}

function send(item) {
  if (item.file.size >= tusThreshold()) void sendTus(item);
  else sendMultipart(item);
}

/** XMLHttpRequest, because fetch cannot report upload progress. */
function sendMultipart(item) {
  const xhr = new XMLHttpRequest();
  item.xhr = xhr;
  item.li.className = 'sending';
  item.cancel.hidden = false;
  item.retry.hidden = true;
  item.bar.value = 0;
  item.info.textContent = 'Starting…';
  const started = performance.now();
  xhr.open('POST', api('upload'));
  xhr.setRequestHeader('authorization', `Bearer ${state.token}`);
  xhr.upload.addEventListener('progress', (event) => {
    if (!event.lengthComputable) return;
    const percent = Math.floor((event.loaded / event.total) * 100);
    const seconds = (performance.now() - started) / 1000;
    item.bar.value = percent;
    item.info.textContent = `${percent} % · ${humanBytes(event.loaded)} of ${humanBytes(event.total)}` +
      (seconds > 0.2 ? ` · ${humanBytes(event.loaded / seconds)}/s` : '');
  });
  xhr.addEventListener('load', () => {
    let body = null;
    try {
      body = JSON.parse(xhr.responseText);
    } catch {
      // not JSON
    }
    if (xhr.status === 201) {
      const seconds = Math.max((performance.now() - started) / 1000, 0.001);
      item.bar.value = 100;
      settle(item, 'done', `100 % · uploaded ${humanBytes(item.file.size)} at ${humanBytes(item.file.size / seconds)}/s`);
      say(`Uploaded ${item.file.name}.`);
      void showFiles();
      return;
    }
    settle(item, 'failed', failureReason(xhr.status, body));
    say(`Upload of ${item.file.name} failed.`);
    if (body?.code === 'token_expired') signOut('Your token has expired. Paste a new one, then retry the uploads that failed.');
  });
  xhr.addEventListener('error', () => {
    settle(item, 'failed', 'The connection failed (network down, or the server closed it).');
    say(`Upload of ${item.file.name} failed.`);
  });
  xhr.addEventListener('abort', () => {
    settle(item, 'failed', 'Cancelled.');
    say(`Cancelled the upload of ${item.file.name}.`);
  });
  const form = new FormData();
  form.append('file', item.file, item.file.name);
  xhr.send(form);
}

// ---------- resumable uploads (tus 1.0) ----------
// Large files go in chunks through {endpoint}tus/: a dropped connection is retried from the
// offset the server reports, and the upload's URL is kept in localStorage (keyed by the file's
// name, size and modification time) so that after a reload, choosing the same file resumes it.

const TUS_THRESHOLD = 64 * 1024 * 1024;
const TUS_CHUNK = 8 * 1024 * 1024;
const TUS_RETRIES = 8;
const TUS_KEY = 'bdfu.tus.';

/** Files of at least this size go by tus; localStorage 'bdfu.tusThreshold' changes it (tests, small links). */
function tusThreshold() {
  const set = Number(localStorage.getItem('bdfu.tusThreshold'));
  return Number.isSafeInteger(set) && set >= 0 && localStorage.getItem('bdfu.tusThreshold') !== null ? set : TUS_THRESHOLD;
}

const tusKey = (file) => `${TUS_KEY}${state.shownUser}:${endpoint.href}:${file.name}:${file.size}:${file.lastModified}`;
const b64 = (text) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

class Retryable extends Error {}

/** One tus request by XMLHttpRequest (upload progress), resolved with the finished request. */
function tusRequest(item, method, url, headers = {}, body = null, onProgress = null) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    item.xhr = xhr;
    xhr.open(method, url);
    xhr.setRequestHeader('authorization', `Bearer ${state.token}`);
    xhr.setRequestHeader('tus-resumable', '1.0.0');
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, String(value));
    if (onProgress) xhr.upload.addEventListener('progress', (event) => onProgress(event.loaded));
    xhr.addEventListener('load', () => resolve(xhr));
    xhr.addEventListener('error', () => reject(new Retryable('The connection failed.')));
    xhr.addEventListener('abort', () => reject(new Retryable('Cancelled.')));
    xhr.send(body);
  });
}

function tusFailure(xhr) {
  let body = null;
  try {
    body = JSON.parse(xhr.responseText);
  } catch {
    // not JSON
  }
  if (xhr.status === 409 || xhr.status === 423 || xhr.status === 460 || xhr.status >= 500) return new Retryable(failureReason(xhr.status, body));
  const error = new Error(failureReason(xhr.status, body));
  error.code = body?.code;
  return error;
}

async function sendTus(item) {
  const { file } = item;
  const key = tusKey(file);
  item.cancelled = false;
  item.li.className = 'sending';
  item.cancel.hidden = false;
  item.retry.hidden = true;
  item.info.textContent = 'Starting…';
  const started = performance.now();
  let sentHere = 0;
  const show = (done) => {
    const percent = file.size > 0 ? Math.floor((done / file.size) * 100) : 100;
    const seconds = (performance.now() - started) / 1000;
    item.bar.value = percent;
    item.info.textContent = `${percent} % · ${humanBytes(done)} of ${humanBytes(file.size)}` +
      (seconds > 0.2 && sentHere > 0 ? ` · ${humanBytes(sentHere / seconds)}/s` : '');
  };
  let url = JSON.parse(localStorage.getItem(key) ?? 'null')?.url ?? null;
  let offset = url ? undefined : 0;
  let failures = 0;
  const finished = () => {
    localStorage.removeItem(key);
    item.bar.value = 100;
    const seconds = Math.max((performance.now() - started) / 1000, 0.001);
    settle(item, 'done', `100 % · uploaded ${humanBytes(file.size)}${sentHere > 0 ? ` at ${humanBytes(sentHere / seconds)}/s` : ''}`);
    say(`Uploaded ${file.name}.`);
    void showFiles();
  };
  for (;;) {
    try {
      if (!url) {
        const xhr = await tusRequest(item, 'POST', api('tus/'), {
          'upload-length': file.size,
          'upload-metadata': `filename ${b64(file.name)},filetype ${b64(file.type || 'application/octet-stream')}`,
        });
        if (xhr.status !== 201) throw tusFailure(xhr);
        url = new URL(xhr.getResponseHeader('location'), endpoint).href;
        if (xhr.getResponseHeader('upload-file-location')) return finished();
        localStorage.setItem(key, JSON.stringify({ url, name: file.name, size: file.size, at: new Date().toISOString() }));
        offset = 0;
      }
      if (offset === undefined) {
        const xhr = await tusRequest(item, 'HEAD', url);
        if (xhr.status === 404 || xhr.status === 410) {
          localStorage.removeItem(key);
          url = null;
          continue;
        }
        if (xhr.status !== 200) throw tusFailure(xhr);
        if (xhr.getResponseHeader('upload-file-location')) return finished();
        offset = Number(xhr.getResponseHeader('upload-offset'));
      }
      show(offset);
      const end = Math.min(file.size, offset + TUS_CHUNK);
      const from = offset;
      const xhr = await tusRequest(item, 'PATCH', url, {
        'upload-offset': from,
        'content-type': 'application/offset+octet-stream',
      }, file.slice(from, end), (loaded) => show(from + loaded));
      if (xhr.status === 200) {
        sentHere += end - from;
        return finished();
      }
      if (xhr.status !== 204) throw tusFailure(xhr);
      offset = Number(xhr.getResponseHeader('upload-offset'));
      sentHere += offset - from;
      failures = 0;
    } catch (error) {
      if (item.cancelled) {
        if (url) void tusRequest({}, 'DELETE', url).catch(() => undefined);
        localStorage.removeItem(key);
        settle(item, 'failed', 'Cancelled.');
        say(`Cancelled the upload of ${file.name}.`);
        return;
      }
      if (!(error instanceof Retryable) || ++failures > TUS_RETRIES) {
        settle(item, 'failed', error instanceof Retryable ? `${error.message} Retry continues where it stopped.` : error.message);
        say(`Upload of ${file.name} failed.`);
        if (error.code === 'token_expired') signOut('Your token has expired. Paste a new one, then retry the uploads that failed.');
        return;
      }
      const wait = Math.min(10_000, 500 * 2 ** (failures - 1));
      item.info.textContent = `${error.message} Trying again in ${Math.ceil(wait / 1000)} s…`;
      await new Promise((resolve) => setTimeout(resolve, wait));
      offset = undefined;
    }
  }
}

/** After a reload: the unfinished uploads this browser remembers, each offered for resuming. */
async function offerResumes() {
  const prefix = `${TUS_KEY}${state.shownUser}:${endpoint.href}:`;
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const key = localStorage.key(i);
    if (!key?.startsWith(prefix) || document.querySelector(`[data-resume-key="${CSS.escape(key)}"]`)) continue;
    const saved = JSON.parse(localStorage.getItem(key) ?? 'null');
    if (!saved?.url) continue;
    let offset = 0;
    try {
      const xhr = await tusRequest({}, 'HEAD', saved.url);
      if (xhr.status === 404 || xhr.status === 410) {
        localStorage.removeItem(key);
        continue;
      }
      if (xhr.status !== 200) continue;
      offset = Number(xhr.getResponseHeader('upload-offset'));
    } catch {
      continue;
    }
    const forget = el('button', { type: 'button', text: 'Forget', 'aria-label': `Forget the unfinished upload of ${saved.name}` });
    const li = el('li', { class: 'failed', 'data-resume-key': key }, [
      el('span', { class: 'name', text: saved.name }),
      el('span', { class: 'buttons' }, [forget]),
      el('progress', { max: '100', value: String(saved.size > 0 ? Math.floor((offset / saved.size) * 100) : 0), 'aria-label': `Progress of ${saved.name}` }),
      el('span', { class: 'info', text: `Interrupted at ${humanBytes(offset)} of ${humanBytes(saved.size)}. Choose the same file again to resume.` }),
    ]);
    forget.addEventListener('click', () => {
      void tusRequest({}, 'DELETE', saved.url).catch(() => undefined);
      localStorage.removeItem(key);
      li.remove();
    });
    $('uploads').append(li);
  }
}

function uploadAll(files) {
  for (const file of files) {
    document.querySelector(`[data-resume-key="${CSS.escape(tusKey(file))}"]`)?.remove();
    const item = uploadItem(file);
    $('uploads').prepend(item.li);
    send(item);
  }
  if (files.length) say(`Uploading ${files.length} file${files.length === 1 ? '' : 's'}…`);
}

// ---------- the file list ----------

async function download(user, record, button) {
  button.disabled = true;
  try {
    const response = await call('GET', filePath(user, record.id));
    const url = URL.createObjectURL(await response.blob());
    const link = el('a', { href: url, download: record.name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    say(`Downloaded ${record.name}.`);
  } catch (error) {
    report(error, `download ${record.name}`);
  } finally {
    button.disabled = false;
  }
}

async function share(user, record) {
  try {
    const expiresIn = Number($('share-lifetime').value);
    const response = await call('POST', `${filePath(user, record.id)}/share`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ expiresIn }),
    });
    const { url, expires } = await response.json();
    $('share-output').hidden = false;
    $('share-url').value = url;
    try {
      await navigator.clipboard.writeText(url);
      say(`Copied a link to ${record.name} to the clipboard; it works until ${humanTime(expires)}.`);
    } catch {
      $('share-url').select();
      say(`A link to ${record.name}, valid until ${humanTime(expires)}, is below: copy it from there.`);
    }
  } catch (error) {
    report(error, `make a link to ${record.name}`);
  }
}

async function remove(user, record) {
  if (!confirm(`Delete ${record.name}? This cannot be undone.`)) return;
  try {
    await call('DELETE', filePath(user, record.id));
    say(`Deleted ${record.name}.`);
    await showFiles();
    $('refresh').focus();
  } catch (error) {
    report(error, `delete ${record.name}`);
  }
}

// ---------- sharing: stateful links, public files, file requests ----------

/** Shows a made link with "Copy link" and its QR code (drawn by the server: GET qr?for=). */
function showMadeLink(label, url) {
  $('made-link').hidden = false;
  $('made-link-label').textContent = label;
  $('made-link-url').value = url;
  $('made-link-qr').src = api(`qr?for=${encodeURIComponent(url)}`).href;
}

async function copyMadeLink() {
  try {
    await navigator.clipboard.writeText($('made-link-url').value);
    say('Copied the link to the clipboard.');
  } catch {
    $('made-link-url').select();
    say('Copy the link from the box.');
  }
}

async function postJson(method, path, value) {
  const response = await call(method, path, { headers: { 'content-type': 'application/json' }, body: value === undefined ? undefined : JSON.stringify(value) });
  return response.json();
}

function linkOptions() {
  const value = { expiresIn: $('link-expires').value.trim() || undefined, note: $('link-note').value || undefined };
  if ($('link-max').value) value.maxDownloads = Number($('link-max').value);
  if ($('link-password').value) value.password = $('link-password').value;
  return value;
}

function openLinkForm(title, submit) {
  $('link-form').hidden = false;
  $('link-form-title').textContent = title;
  state.linkSubmit = submit;
  $('link-expires').focus();
}

function shareLink(user, record) {
  openLinkForm(`Share ${record.name}`, async () => {
    const link = await postJson('POST', `${filePath(user, record.id)}/links`, linkOptions());
    showMadeLink(`Link to ${record.name}`, link.url);
    say(`Made a link to ${record.name}.`);
    await showLinks();
  });
}

function requestFilesForm() {
  const user = state.viewing;
  openLinkForm('Request files (an upload link for people without an account)', async () => {
    const { maxDownloads, ...options } = linkOptions();
    const request = await postJson('POST', `requests/${encodeURIComponent(user)}`, { ...options, ...(maxDownloads ? { maxFiles: maxDownloads } : {}) });
    showMadeLink('Upload link', request.url);
    say('Made an upload link.');
  });
}

async function publishFile(user, record) {
  try {
    const mark = await postJson('PUT', `${filePath(user, record.id)}/public`);
    showMadeLink(`Public link to ${record.name}`, mark.url);
    say(`${record.name} is public; unpublish it to stop.`);
  } catch (error) {
    report(error, `publish ${record.name}`);
  }
}

async function unpublishFile(user, record) {
  try {
    await postJson('DELETE', `${filePath(user, record.id)}/public`);
    $('made-link').hidden = true;
    say(`${record.name} is no longer public.`);
  } catch (error) {
    report(error, `unpublish ${record.name}`);
  }
}

async function showLinks() {
  const user = state.viewing;
  try {
    const { links } = await (await call('GET', `links/${encodeURIComponent(user)}`)).json();
    const tbody = $('links-table').querySelector('tbody');
    tbody.replaceChildren(...links.map((link) => {
      const actions = el('td', { class: 'actions' }, [
        el('button', { type: 'button', text: 'Copy / QR', onclick: () => showMadeLink('Link', link.url) }),
      ]);
      if (link.state !== 'revoked') {
        actions.append(el('button', { type: 'button', class: 'danger', text: 'Revoke', onclick: async () => {
          try {
            await call('DELETE', `links/${encodeURIComponent(user)}/${link.id}`);
            say('Revoked the link.');
            await showLinks();
          } catch (error) {
            report(error, 'revoke the link');
          }
        } }));
      }
      return el('tr', {}, [
        el('td', { class: 'name', text: link.note ? `${link.id} (${link.note})` : link.id }),
        el('td', { text: link.state }),
        el('td', { class: 'num', text: `${link.downloads}/${link.maxDownloads ?? '∞'}` }),
        el('td', { text: link.expires ? humanTime(link.expires) : 'never' }),
        el('td', { text: link.lastUsed ? humanTime(link.lastUsed) : '–' }),
        actions,
      ]);
    }));
  } catch (error) {
    report(error, 'list your links');
  }
}

function fileRow(user, record, scopes) {
  const admin = scopes.has('admin');
  const actions = el('td', { class: 'actions' });
  if (admin || scopes.has('read')) {
    const get = el('button', { type: 'button', text: 'Download', 'aria-label': `Download ${record.name}` });
    get.addEventListener('click', () => download(user, record, get));
    actions.append(get, el('button', { type: 'button', text: 'Copy link', 'aria-label': `Copy a share link to ${record.name}`, onclick: () => share(user, record) }));
    actions.append(el('button', { type: 'button', text: 'Share…', 'aria-label': `Make a counted link to ${record.name}`, onclick: () => shareLink(user, record) }));
    actions.append(el('button', { type: 'button', text: 'Public', 'aria-label': `Make ${record.name} public`, onclick: () => publishFile(user, record) }));
    actions.append(el('button', { type: 'button', text: 'Unpublish', 'aria-label': `Stop serving ${record.name} publicly`, onclick: () => unpublishFile(user, record) }));
  }
  if (admin || scopes.has('delete')) {
    actions.append(el('button', { type: 'button', class: 'danger', text: 'Delete', 'aria-label': `Delete ${record.name}`, onclick: () => remove(user, record) }));
  }
  return el('tr', {}, [
    el('td', { class: 'name', text: record.name }),
    el('td', { class: 'num', text: humanBytes(record.size) }),
    el('td', { text: humanTime(record.uploaded) }),
    actions,
  ]);
}

async function showFiles() {
  if (!state.claims) return;
  const user = state.viewing;
  const scopes = scopesOf(state.claims);
  const tbody = $('file-table').querySelector('tbody');
  $('files-title').textContent = user === userOf(state.claims) ? 'Your files' : `Files of ${user}`;
  if (!scopes.has('read') && !scopes.has('admin')) {
    tbody.replaceChildren();
    $('files-note').hidden = false;
    $('files-note').textContent = 'This token may upload only. To see, download or delete your files, ask for a token with the read scope.';
    $('files-empty').hidden = true;
    return;
  }
  $('files-note').hidden = true;
  try {
    const { files } = await (await call('GET', userPath(user))).json();
    tbody.replaceChildren(...files.map((record) => fileRow(user, record, scopes)));
    $('files-empty').hidden = files.length > 0;
  } catch (error) {
    report(error, 'list the files');
  }
}

async function loadUsers() {
  try {
    const { users } = await (await call('GET', 'files/')).json();
    const select = $('user-select');
    const own = userOf(state.claims);
    const all = users.includes(own) ? users : [own, ...users];
    select.replaceChildren(...all.map((user) => el('option', { value: user, text: user })));
    select.value = state.viewing;
    $('admin-users').hidden = false;
  } catch (error) {
    report(error, 'list the users');
  }
}

// ---------- apps allowed in the OAuth dialog ----------

async function showApps() {
  const user = userOf(state.claims);
  try {
    const { apps } = await (await call('GET', `apps/${encodeURIComponent(user)}`)).json();
    $('apps-table').querySelector('tbody').replaceChildren(...apps.map((app) =>
      el('tr', {}, [
        el('td', { class: 'name', text: app.client }),
        el('td', { text: app.scopes.join(' ') }),
        el('td', { text: humanTime(app.approved) }),
        el('td', { class: 'actions' }, [el('button', { type: 'button', class: 'danger', text: 'Revoke', 'aria-label': `Revoke ${app.client}`, onclick: async () => {
          try {
            await call('DELETE', `apps/${encodeURIComponent(user)}/${encodeURIComponent(app.id)}`);
            say(`Revoked ${app.client}: its tokens no longer work.`);
            await showApps();
          } catch (error) {
            report(error, `revoke ${app.client}`);
          }
        } })]),
      ])));
    $('apps-empty').hidden = apps.length > 0;
  } catch (error) {
    report(error, 'list your apps');
  }
}

// ---------- documents (remoteStorage) ----------
// The user's own remoteStorage, browsed with the storage API's folder listings; a document's
// versions come from {endpoint}versions/, where an older one can be restored (a new write).

const STORAGE_SCOPE = /^([a-z0-9_-]+|\*):(rw|r)$/;
/** Browsing without `*:r` starts at a list of the token's modules: the root is not listable. */
const MODULES = '';

/** The token's remoteStorage scopes: module (or `*`) → 'r' or 'rw'. */
function storageModules(claims) {
  const modules = new Map();
  for (const word of scopesOf(claims)) {
    const match = STORAGE_SCOPE.exec(word);
    if (match && modules.get(match[1]) !== 'rw') modules.set(match[1], match[2]);
  }
  return modules;
}

const topFolder = () => (storageModules(state.claims).has('*') ? '/' : MODULES);
/** `/notes/a b.md` → `/notes/a%20b.md`: each segment encoded, the slashes kept. */
const encodedPath = (path) => path.split('/').map(encodeURIComponent).join('/');
const storageUrl = (path) => `storage/${encodeURIComponent(userOf(state.claims))}${encodedPath(path)}`;
const versionsUrl = (path) => `versions/${encodeURIComponent(userOf(state.claims))}${encodedPath(path)}`;

function parentFolder(folder) {
  if (folder === MODULES || folder === '/') return null;
  const up = folder.replace(/[^/]+\/$/, '');
  return up === '/' ? topFolder() : up;
}

function folderRow(path) {
  return el('tr', {}, [
    el('td', { class: 'name' }, [el('button', { type: 'button', class: 'folder', text: path.replace(/^.*\/(?=[^/]+\/$)/, ''), 'aria-label': `Open folder ${path}`, onclick: () => openFolder(path) })]),
    el('td', { class: 'num', text: 'folder' }),
    el('td'),
    el('td'),
  ]);
}

function documentRow(path, item) {
  return el('tr', {}, [
    el('td', { class: 'name', text: path.replace(/^.*\//, '') }),
    el('td', { class: 'num', text: humanBytes(item['Content-Length']) }),
    el('td', { text: humanTime(item['Last-Modified']) }),
    el('td', { class: 'actions' }, [el('button', { type: 'button', text: 'Versions', 'aria-label': `Versions of ${path}`, onclick: () => showVersions(path) })]),
  ]);
}

/** The folder's entries as [path, listing item], sub-folders first. */
async function folderEntries(folder) {
  if (folder === MODULES) return [...storageModules(state.claims).keys()].sort().map((module) => [`/${module}/`, {}]);
  const { items } = await (await call('GET', storageUrl(folder))).json();
  const names = Object.keys(items).sort((a, b) => Number(b.endsWith('/')) - Number(a.endsWith('/')) || a.localeCompare(b));
  return names.map((name) => [folder + name, items[name]]);
}

async function showDocuments() {
  const folder = state.folder;
  $('documents-folder').textContent = folder === MODULES ? 'your modules' : folder;
  $('documents-up').disabled = parentFolder(folder) === null;
  try {
    const entries = await folderEntries(folder);
    if (state.folder !== folder) return;
    $('document-table').querySelector('tbody').replaceChildren(...entries.map(([path, item]) => (path.endsWith('/') ? folderRow(path) : documentRow(path, item))));
    $('documents-empty').hidden = entries.length > 0;
  } catch (error) {
    report(error, `list ${folder}`);
  }
}

function openFolder(folder) {
  state.folder = folder;
  $('versions').hidden = true;
  void showDocuments();
}

function versionRow(path, version, current) {
  const when = humanTime(version.time);
  const actions = el('td', { class: 'actions' });
  if (current) actions.append(el('span', { text: 'current' }));
  else if (!version.deleted) {
    const restore = el('button', { type: 'button', text: 'Restore', 'aria-label': `Restore version ${version.version} of ${path} (${when})` });
    restore.addEventListener('click', () => restoreVersion(path, version, restore));
    actions.append(restore);
  }
  return el('tr', {}, [
    el('td', { text: when }),
    el('td', { class: 'num', text: version.deleted ? 'deleted' : humanBytes(version.size) }),
    el('td', { text: version.app ?? '–' }),
    el('td', { class: 'etag', text: version.etag || '–' }),
    actions,
  ]);
}

async function showVersions(path) {
  state.versionsOf = path;
  $('versions').hidden = false;
  $('versions-title').textContent = `Versions of ${path}`;
  try {
    const { versions } = await (await call('GET', versionsUrl(path))).json();
    if (state.versionsOf !== path) return;
    $('version-table').querySelector('tbody').replaceChildren(...versions.map((version, index) => versionRow(path, version, index === 0)));
    $('versions-title').focus();
  } catch (error) {
    report(error, `list the versions of ${path}`);
  }
}

async function restoreVersion(path, version, button) {
  button.disabled = true;
  try {
    const restored = await postJson('POST', versionsUrl(path), { version: version.version });
    say(`Restored ${path} to its version of ${humanTime(version.time)}: new ETag ${restored.etag}.`);
    await Promise.all([showVersions(path), showDocuments()]);
  } catch (error) {
    button.disabled = false;
    report(error, `restore ${path}`);
  }
}

// ---------- the audit trail (admins) ----------

async function showAudit() {
  const query = new URLSearchParams();
  const user = $('audit-user').value.trim();
  if (user) query.set('user', user);
  if ($('audit-action').value) query.set('action', $('audit-action').value);
  if ($('audit-since').value) query.set('since', $('audit-since').value);
  try {
    const { entries } = await (await call('GET', `audit?${query}`)).json();
    const rows = entries.map((entry) =>
      el('tr', { class: entry.outcome === 'ok' ? '' : 'refused' }, [
        el('td', { text: humanTime(entry.time) }),
        el('td', { text: entry.user ?? (entry.anonymized ? '(anonymized)' : '—') }),
        el('td', { text: entry.address ?? '—' }),
        el('td', { text: entry.action }),
        el('td', { text: entry.outcome + (entry.code ? ` (${entry.code})` : '') }),
        el('td', { text: [entry.owner ? `${entry.owner}/` : '', entry.name ?? entry.id ?? '', entry.bytes !== undefined ? ` · ${humanBytes(entry.bytes)}` : ''].join('') }),
      ]));
    $('audit-table').querySelector('tbody').replaceChildren(...rows);
  } catch (error) {
    report(error, 'read the audit trail');
  }
}

// ---------- wiring ----------

function wire() {
  $('sign-in-form').addEventListener('submit', (event) => {
    event.preventDefault();
    signIn($('token-input').value);
  });
  $('password-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void signInWithPassword($('account-input').value.trim(), $('password-input').value);
  });
  $('sign-out').addEventListener('click', () => signOut('Signed out.'));
  $('pick').addEventListener('change', () => {
    uploadAll([...$('pick').files]);
    $('pick').value = '';
  });
  const drop = $('drop');
  for (const type of ['dragenter', 'dragover']) {
    drop.addEventListener(type, (event) => {
      event.preventDefault();
      drop.classList.add('over');
    });
  }
  for (const type of ['dragleave', 'drop']) drop.addEventListener(type, () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    uploadAll([...(event.dataTransfer?.files ?? [])]);
  });
  // A file dropped beside the zone must not make the browser navigate away from the page.
  window.addEventListener('dragover', (event) => event.preventDefault());
  window.addEventListener('drop', (event) => event.preventDefault());
  // A sign-in link opened in a tab that already shows the page only changes the fragment.
  window.addEventListener('hashchange', () => {
    const token = tokenFromFragment();
    if (token) signInFromLink(token);
  });
  $('switch-confirm').addEventListener('click', () => answerSwitch(true));
  $('switch-cancel').addEventListener('click', () => answerSwitch(false));
  $('refresh').addEventListener('click', () => void showFiles());
  $('user-select').addEventListener('change', () => {
    state.viewing = $('user-select').value;
    void showFiles();
  });
  $('link-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await state.linkSubmit?.();
      $('link-form').hidden = true;
      $('link-password').value = '';
    } catch (error) {
      report(error, 'make the link');
    }
  });
  $('link-cancel').addEventListener('click', () => ($('link-form').hidden = true));
  $('made-link-copy').addEventListener('click', () => void copyMadeLink());
  $('links-refresh').addEventListener('click', () => void showLinks());
  $('request-files').addEventListener('click', () => requestFilesForm());
  $('documents-up').addEventListener('click', () => openFolder(parentFolder(state.folder) ?? state.folder));
  $('documents-refresh').addEventListener('click', () => void showDocuments());
  $('versions-close').addEventListener('click', () => {
    $('versions').hidden = true;
    $('documents-refresh').focus();
  });
  $('audit-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void showAudit();
  });
}

wire();
const linked = tokenFromFragment();
const kept = sessionStorage.getItem(TOKEN_KEY);
if (kept) signIn(kept);
if (linked) signInFromLink(linked);
else if (!kept) showSignIn();
