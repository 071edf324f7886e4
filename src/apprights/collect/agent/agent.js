/*
 * apprights Frida agent: hooks the sensitive-API catalogue and reports each call.
 *
 * Loaded by apprights.collect.frida_session into the app process (spawn-gated, so start-up calls are seen),
 * then configured through rpc.exports.init(config):
 *   config = {
 *     apis: [{api: "android.telephony.TelephonyManager.getDeviceId", filters: [null | {index, equals|contains}],
 *             shape?: "latlng" | "packages" | "mac"}],   // the one value shape the host's matcher reads
 *     mask: bool,            // replace return values by their SHA-256 (ret_sha256) instead of sending them raw
 *     maxStack: int,         // frames kept per stack
 *     maxValueLength: int    // characters kept per formatted value
 *   }
 * Messages sent to the host (send()):
 *   {type: "api_call", api, args, ret, ret_sha256?, error?, stack, thread, t}   t = device epoch milliseconds;
 *       error = the exception the call threw (an attempted read: reported, then rethrown to the app)
 *   {type: "permission_result", results: [{permission, result: granted|denied|denied_forever}], stack, t}
 *   {type: "plaintext", source: "okhttp"|"ssl"|"cipher", host?, port?, url?, method?, headers?, data_b64,
 *    size, stack, t}      request bytes before TLS / encryption (config.plaintext), matched like traffic;
 *    cipher (one per doFinal, with the update() input of that instance joined; `update` only for a cipher
 *    evicted before doFinal or without a readable hashCode) adds op (doFinal|update), algorithm,
 *    mode (encrypt|decrypt|wrap|unwrap), out_b64 (the first 96 bytes of the output, joined likewise: the
 *    ciphertext that links the plaintext to a later request), out_size
 *   config.plaintext: bool   hook okhttp3 requests, Conscrypt SSL output streams and Cipher.doFinal/update
 *   config.unpin: bool       certificate-pinning bypass (TrustManagerImpl, OkHttp CertificatePinner)
 *       from Activity.dispatchRequestPermissionsResult (what onRequestPermissionsResult receives)
 *   {type: "agent_ready", hooked: n, permission_hooks: n, apis: n, missing: [api...], errors: [str...], t}
 *   {type: "agent_error", error, t}
 * RPC: init(config) installs the hooks; viewTree() returns the process's windows as view nodes (the fallback
 * when `uiautomator dump` cannot read the screen), see viewTree below.
 * Needs a Frida runtime with the Java bridge as a global (Frida 16.x; Frida 17 scripts must bundle
 * frida-java-bridge, see docs/collect.md).
 *
 * The pure helpers (sha256Hex, formatValue, parseJavaStack, argsMatch, splitApi) are exported for node so
 * the host-side tests can run them without a device.
 */
'use strict';

/* ---------------------------------------------------------------- SHA-256 (FIPS 180-4) over UTF-8 */

const K256 = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];

function utf8Bytes(str) {
  const out = [];
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length) {
      const d = str.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
  }
  return out;
}

function sha256Hex(str) {
  const bytes = utf8Bytes(String(str));
  const bitLen = bytes.length * 8;
  bytes.push(0x80);
  while (bytes.length % 64 !== 56) bytes.push(0);
  const hi = Math.floor(bitLen / 0x100000000);
  const lo = bitLen >>> 0;
  bytes.push((hi >>> 24) & 255, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255);
  bytes.push((lo >>> 24) & 255, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);
  const h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
  const w = new Array(64);
  const rotr = (x, n) => (x >>> n) | (x << (32 - n));
  for (let off = 0; off < bytes.length; off += 64) {
    for (let i = 0; i < 16; i++) {
      const j = off + i * 4;
      w[i] = ((bytes[j] << 24) | (bytes[j + 1] << 16) | (bytes[j + 2] << 8) | bytes[j + 3]) | 0;
    }
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = (w[i - 16] + s0 + w[i - 7] + s1) | 0;
    }
    let [a, b, c, d, e, f, g, hh] = h;
    for (let i = 0; i < 64; i++) {
      const S1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
      const ch = (e & f) ^ (~e & g);
      const t1 = (hh + S1 + ch + K256[i] + w[i]) | 0;
      const S0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0; h[3] = (h[3] + d) | 0;
    h[4] = (h[4] + e) | 0; h[5] = (h[5] + f) | 0; h[6] = (h[6] + g) | 0; h[7] = (h[7] + hh) | 0;
  }
  return h.map((x) => (x >>> 0).toString(16).padStart(8, '0')).join('');
}

/* ---------------------------------------------------------------- pure helpers */

function splitApi(api) {
  // "android.provider.Settings$Secure.getString" -> class "android.provider.Settings$Secure", method "getString"
  const dot = api.lastIndexOf('.');
  if (dot <= 0 || dot === api.length - 1) return null;
  const method = api.substring(dot + 1);
  return { cls: api.substring(0, dot), method: method === '<init>' ? '$init' : method };
}

function argsMatch(filters, args) {
  // filters: one entry per catalogue row of this API; null = no filter (every call counts).
  if (!filters || filters.length === 0) return true;
  for (const f of filters) {
    if (!f) return true;
    const idx = typeof f.index === 'number' ? f.index : 0;
    if (idx < 0 || idx >= args.length || args[idx] === null || args[idx] === undefined) continue;
    const value = String(args[idx]);
    if (Array.isArray(f.equals) && f.equals.some((v) => String(v) === value)) return true;
    if (Array.isArray(f.contains)) {
      const low = value.toLowerCase();
      if (f.contains.some((v) => low.indexOf(String(v).toLowerCase()) >= 0)) return true;
    }
    if (!Array.isArray(f.equals) && !Array.isArray(f.contains)) return true;
  }
  return false;
}

function truncate(s, max) {
  return s.length > max ? s.substring(0, max) + '…' : s;
}

function formatValue(v, maxLen, depth) {
  // JSON-able rendering of a Java or JS value; Java objects are described, never kept as references.
  maxLen = maxLen || 2048;
  depth = depth || 0;
  if (v === null || v === undefined) return null;
  const t = typeof v;
  if (t === 'string') return truncate(v, maxLen);
  if (t === 'number' || t === 'boolean') return v;
  if (t === 'bigint') return v.toString();
  if (depth > 2) return truncate(String(v), maxLen);
  if (Array.isArray(v) || (t === 'object' && typeof v.length === 'number' && v.$className === undefined)) {
    const out = [];
    const n = Math.min(v.length, 64);
    for (let i = 0; i < n; i++) out.push(formatValue(v[i], maxLen, depth + 1));
    if (v.length > n) out.push('…(' + v.length + ' items)');
    return out;
  }
  if (t === 'object' && typeof v.$className === 'string') {
    if (v.$className === 'android.content.Intent') return formatIntent(v, maxLen);
    try {
      return truncate(String(v.toString()), maxLen);
    } catch (e) {
      return '<' + v.$className + '>';
    }
  }
  try {
    return truncate(JSON.stringify(v), maxLen);
  } catch (e) {
    return truncate(String(v), maxLen);
  }
}

function formatIntent(intent, maxLen) {
  const out = { $intent: true };
  const call = (name) => {
    try {
      const r = intent[name]();
      return r === null || r === undefined ? null : truncate(String(r.toString()), maxLen);
    } catch (e) {
      return null;
    }
  };
  out.action = call('getAction');
  out.data = call('getDataString');
  out.package = call('getPackage');
  try {
    const c = intent.getComponent();
    out.component = c ? String(c.flattenToString()) : null;
  } catch (e) {
    out.component = null;
  }
  out.extras_keys = [];
  try {
    const extras = intent.getExtras();
    if (extras) {
      const it = extras.keySet().iterator();
      while (it.hasNext() && out.extras_keys.length < 64) out.extras_keys.push(String(it.next()));
    }
  } catch (e) {
    /* no extras */
  }
  return out;
}

function parseJavaStack(text, maxFrames) {
  // "java.lang.Throwable\n\tat a.B.c(B.java:12)\n..." -> ["a.B.c(B.java:12)", ...] innermost first
  maxFrames = maxFrames || 64;
  const frames = [];
  const lines = String(text).split('\n');
  for (const raw of lines) {
    const line = raw.trim();
    if (line.indexOf('at ') !== 0) {
      if (line.indexOf('Caused by') === 0) break;
      continue;
    }
    frames.push(line.substring(3));
    if (frames.length >= maxFrames) break;
  }
  return frames;
}

/* ---------------------------------------------------------------- value shapes (shared with the matcher) */

function javaCall(obj, name) {
  try {
    return typeof obj[name] === 'function' ? obj[name]() : undefined;
  } catch (e) {
    return undefined;
  }
}

function javaField(obj, name) {
  try {
    const f = obj[name];
    if (f && typeof f === 'object' && 'value' in f) return f.value;
    return typeof f === 'function' ? undefined : f;
  } catch (e) {
    return undefined;
  }
}

function listItems(v, max) {
  // A Java List/Set (size/get or iterator), a Java array or a JS array -> JS array (at most max items).
  const out = [];
  if (v === null || v === undefined) return out;
  if (Array.isArray(v) || (typeof v === 'object' && typeof v.length === 'number')) {
    for (let i = 0; i < v.length && out.length < max; i++) out.push(v[i]);
    return out;
  }
  if (typeof v.size === 'function' && typeof v.get === 'function') {
    const n = Math.min(Number(v.size()), max);
    for (let i = 0; i < n; i++) out.push(v.get(i));
    return out;
  }
  if (typeof v.iterator === 'function') {
    const it = v.iterator();
    while (it.hasNext() && out.length < max) out.push(it.next());
  }
  return out;
}

function packageOf(item) {
  // PackageInfo/ApplicationInfo.packageName, ResolveInfo.activityInfo.packageName,
  // RunningAppProcessInfo.processName, RunningServiceInfo.service, or a plain package-name string.
  if (item === null || item === undefined) return null;
  if (typeof item === 'string') return item;
  let name = javaField(item, 'packageName');
  if (name === undefined || name === null) {
    const info = javaField(item, 'activityInfo') || javaField(item, 'serviceInfo');
    if (info) name = javaField(info, 'packageName');
  }
  if (name === undefined || name === null) {
    const proc = javaField(item, 'processName');
    if (typeof proc === 'string') name = proc.split(':')[0];
  }
  if (name === undefined || name === null) {
    const svc = javaField(item, 'service');
    if (svc) name = javaCall(svc, 'getPackageName');
  }
  return name === undefined || name === null ? null : String(name);
}

function macString(bytes) {
  const parts = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = Number(bytes[i]) & 255;
    parts.push((b < 16 ? '0' : '') + b.toString(16));
  }
  return parts.join(':');
}

function shapeValue(shape, v) {
  // The value shapes of trace-format.md ("ret" of api_call), so that traffic matching works on them:
  //   latlng   -> {lat: number, lng: number}      (android.location.Location, AMapLocation, ...)
  //   packages -> ["com.example.a", ...]          (lists of PackageInfo / ApplicationInfo / ResolveInfo ...)
  //   mac      -> "aa:bb:cc:dd:ee:ff"             (byte[6] from NetworkInterface.getHardwareAddress)
  // Anything else (or a value that does not fit) goes through formatValue unchanged.
  if (v === null || v === undefined || !shape) return undefined;
  if (shape === 'latlng') {
    if (typeof v !== 'object') return undefined;
    const lat = javaCall(v, 'getLatitude');
    const lng = javaCall(v, 'getLongitude');
    if (typeof lat === 'number' && typeof lng === 'number') return { lat: lat, lng: lng };
    return undefined;
  }
  if (shape === 'packages') {
    if (typeof v === 'string') return undefined;
    const names = [];
    for (const item of listItems(v, 5000)) {
      const n = packageOf(item);
      if (n && names.indexOf(n) < 0) names.push(n);
    }
    return names;
  }
  if (shape === 'mac') {
    if (typeof v === 'string') return v.toLowerCase();
    const bytes = listItems(v, 16);
    if (bytes.length === 6 && bytes.every((b) => typeof b === 'number')) return macString(bytes);
    return undefined;
  }
  return undefined;
}

function base64Bytes(bytes, off, len) {
  // Java byte[] (signed numbers) or a JS array -> base64 of bytes[off, off+len)
  const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let out = '';
  const end = off + len;
  for (let i = off; i < end; i += 3) {
    const b0 = Number(bytes[i]) & 255;
    const b1 = i + 1 < end ? Number(bytes[i + 1]) & 255 : 0;
    const b2 = i + 2 < end ? Number(bytes[i + 2]) & 255 : 0;
    out += A[b0 >> 2] + A[((b0 & 3) << 4) | (b1 >> 4)];
    out += i + 1 < end ? A[((b1 & 15) << 2) | (b2 >> 6)] : '=';
    out += i + 2 < end ? A[b2 & 63] : '=';
  }
  return out;
}

/* ---------------------------------------------------------------- Frida side */

// Per-thread bookkeeping (never process-wide: one thread reporting must not hide another thread's calls):
//   reporting[tid] = true while this thread builds a report (hooked APIs it calls then are our own calls);
//   inside[tid][api] = depth of hooked calls of api on this thread (an overload calling another overload
//   of the same API is one call, reported once, by the outermost).
const state = { config: null, reporting: {}, inside: {}, hooked: 0, permissionHooks: 0, ciphers: {}, cipherOrder: [] };

function now() {
  return Date.now();
}

function threadId() {
  try {
    return typeof Process !== 'undefined' && Process.getCurrentThreadId ? Process.getCurrentThreadId() : 0;
  } catch (e) {
    return 0;
  }
}

function enter(tid, api) {
  const m = state.inside[tid] || (state.inside[tid] = {});
  m[api] = (m[api] || 0) + 1;
  return m[api] > 1;
}

function leave(tid, api) {
  const m = state.inside[tid];
  if (!m) return;
  if (--m[api] <= 0) delete m[api];
  if (Object.keys(m).length === 0) delete state.inside[tid];
}

function currentStack(ctx, cfg) {
  try {
    return parseJavaStack(ctx.Log.getStackTraceString(ctx.Throwable.$new()), cfg.maxStack);
  } catch (e) {
    return [];
  }
}

function report(entry, args, ret, error, ctx) {
  const tid = threadId();
  if (state.reporting[tid]) return; // a hooked API called while this thread builds a report is our own call
  state.reporting[tid] = true;
  const api = entry.api;
  try {
    const cfg = state.config;
    const msg = { type: 'api_call', api: api, t: now() };
    msg.args = [];
    for (let i = 0; i < args.length; i++) msg.args.push(formatValue(args[i], cfg.maxValueLength));
    let value = null;
    if (error === null) {
      const shaped = shapeValue(entry.shape, ret);
      value = shaped !== undefined ? shaped : formatValue(ret, cfg.maxValueLength);
    } else {
      msg.error = truncate(String(error), 500);
    }
    if (cfg.mask && value !== null) {
      msg.ret = null;
      msg.ret_sha256 = sha256Hex(typeof value === 'string' ? value : JSON.stringify(value));
    } else {
      msg.ret = value;
    }
    msg.stack = currentStack(ctx, cfg);
    try {
      msg.thread = String(ctx.Thread.currentThread().getName());
    } catch (e) {
      msg.thread = null;
    }
    send(msg);
  } catch (e) {
    send({ type: 'agent_error', error: 'report ' + api + ': ' + e, t: now() });
  } finally {
    delete state.reporting[tid];
  }
}

const EXTRA_NAMES = 'android.content.pm.extra.REQUEST_PERMISSIONS_NAMES';
const EXTRA_RESULTS = 'android.content.pm.extra.REQUEST_PERMISSIONS_RESULTS';

function reportPermissionResults(activity, data, ctx) {
  // What the system hands the app after the user answered a permission dialog (0 = granted, -1 = denied);
  // a denial after which the app may no longer show a rationale is "don't ask again" (denied_forever).
  const tid = threadId();
  if (state.reporting[tid]) return;
  state.reporting[tid] = true;
  try {
    if (data === null || data === undefined) return;
    const names = listItems(data.getStringArrayExtra(EXTRA_NAMES), 256);
    const codes = listItems(data.getIntArrayExtra(EXTRA_RESULTS), 256);
    const results = [];
    for (let i = 0; i < names.length && i < codes.length; i++) {
      const perm = String(names[i]);
      let result = Number(codes[i]) === 0 ? 'granted' : 'denied';
      if (result === 'denied') {
        try {
          if (!activity.shouldShowRequestPermissionRationale(perm)) result = 'denied_forever';
        } catch (e) {
          /* keep "denied" */
        }
      }
      results.push({ permission: perm, result: result });
    }
    if (results.length) {
      send({ type: 'permission_result', results: results, stack: currentStack(ctx, state.config), t: now() });
    }
  } catch (e) {
    send({ type: 'agent_error', error: 'permission results: ' + e, t: now() });
  } finally {
    delete state.reporting[tid];
  }
}

function sendPlaintext(msg, bytes, off, len, ctx, total) {
  const tid = threadId();
  if (state.reporting[tid]) return;
  state.reporting[tid] = true;
  try {
    const cap = Math.min(len, state.config.maxBody);
    msg.type = 'plaintext';
    msg.data_b64 = base64Bytes(bytes, off, cap);
    msg.size = typeof total === 'number' ? total : len;
    msg.stack = currentStack(ctx, state.config);
    msg.t = now();
    send(msg);
  } catch (e) {
    send({ type: 'agent_error', error: 'plaintext ' + msg.source + ': ' + e, t: now() });
  } finally {
    delete state.reporting[tid];
  }
}

const CIPHER_MODES = { 1: 'encrypt', 2: 'decrypt', 3: 'wrap', 4: 'unwrap' };
const CIPHER_OUT_PREFIX = 96; // bytes of ciphertext kept: enough to find it again in a request

function cipherMode(cipher) {
  // javax.crypto.Cipher has no public getter: the private field is `opmode` (Android 7+, OpenJDK-based
  // libcore) or `mode` (Android 4-6, Harmony); unknown when neither can be read.
  const fields = ['opmode', 'mode'];
  for (let i = 0; i < fields.length; i++) {
    try {
      const f = cipher[fields[i]];
      if (f && typeof f.value === 'number') return CIPHER_MODES[f.value] || String(f.value);
    } catch (e) {
      /* next */
    }
  }
  return '';
}

const CIPHER_PENDING_MAX = 64; // cipher instances with update() input waiting for doFinal

function cipherKey(cipher) {
  // Cipher does not override hashCode: it is the instance's identity hash, stable across calls (a Frida
  // wrapper is a new JS object on every call, so JS identity cannot be used).
  try {
    return 'c' + String(cipher.hashCode());
  } catch (e) {
    return null;
  }
}

function cipherOutput(a, out) {
  // doFinal(input[, off, len]) / update(...) return the output; the (…, output[, outOff]) overloads write it
  // into `output` and return how many bytes they wrote. -> [bytes, off, len] or null
  if (out !== null && typeof out === 'object' && typeof out.length === 'number') return [out, 0, out.length];
  if (typeof out === 'number' && a.length >= 4 && a[3] !== null && typeof a[3] === 'object') {
    return [a[3], a.length >= 5 ? Number(a[4]) : 0, out];
  }
  return null;
}

function cipherCall(cipher, method, input, off, len, a, out, ctx) {
  // update() input is kept per cipher instance (bounded by maxBody) and reported once, joined, at doFinal:
  // an identifier split across two update() calls is then found. A cipher that never reaches doFinal is
  // reported when it is evicted (more than CIPHER_PENDING_MAX pending), as a partial `update` report.
  const key = cipherKey(cipher);
  let p = key === null ? null : state.ciphers[key];
  let o = null;
  try {
    o = cipherOutput(a, out);
  } catch (e) {
    o = null;
  }
  if (key !== null && (method === 'update' || p)) {
    if (!p) {
      p = { data: [], size: 0, out: [], outSize: 0, cipher: cipher };
      state.ciphers[key] = p;
      state.cipherOrder.push(key);
    }
    const room = Math.max(0, state.config.maxBody - p.data.length);
    for (let i = 0; i < Math.min(len, room); i++) p.data.push(input[off + i]);
    p.size += len;
    try {
      if (o !== null && o[2] > 0) {
        const keep = Math.min(o[2], CIPHER_OUT_PREFIX - p.out.length);
        for (let i = 0; i < keep; i++) p.out.push(o[0][o[1] + i]);
        p.outSize += o[2];
      }
    } catch (e) {
      /* output unreadable */
    }
    if (method === 'update') {
      while (state.cipherOrder.length > CIPHER_PENDING_MAX) {
        const old = state.cipherOrder.shift();
        const q = state.ciphers[old];
        delete state.ciphers[old];
        if (q) sendCipher(q.cipher, 'update', q.data, 0, q.data.length, q.out, q.outSize, ctx, q.size);
      }
      return;
    }
    delete state.ciphers[key];
    state.cipherOrder.splice(state.cipherOrder.indexOf(key), 1);
    sendCipher(cipher, 'doFinal', p.data, 0, p.data.length, p.out, p.outSize, ctx, p.size);
    return;
  }
  if (len <= 0) return;
  const prefix = o === null ? [] : slice(o[0], o[1], Math.min(o[2], CIPHER_OUT_PREFIX));
  sendCipher(cipher, method, input, off, len, prefix, o === null ? 0 : o[2], ctx, len);
}

function slice(bytes, off, len) {
  const out = [];
  for (let i = 0; i < len; i++) out.push(bytes[off + i]);
  return out;
}

function sendCipher(cipher, method, input, off, len, outPrefix, outSize, ctx, total) {
  const msg = { source: 'cipher', op: method };
  try {
    msg.algorithm = String(cipher.getAlgorithm());
  } catch (e) {
    /* unknown */
  }
  const mode = cipherMode(cipher);
  if (mode) msg.mode = mode;
  if (outPrefix.length > 0 && outSize > 0) {
    msg.out_b64 = base64Bytes(outPrefix, 0, outPrefix.length);
    msg.out_size = outSize;
  }
  if (total <= 0) return;
  sendPlaintext(msg, input, off, len, ctx, total);
}

function hookOverloads(cls, method, make, errors) {
  // make(overload) -> implementation; a class absent from the app (no okhttp) is not an error
  let klass;
  try {
    klass = Java.use(cls);
  } catch (e) {
    return 0;
  }
  const m = klass[method];
  if (!m || !m.overloads) return 0;
  let n = 0;
  m.overloads.forEach(function (overload) {
    try {
      overload.implementation = make(overload);
      n++;
    } catch (e) {
      errors.push(cls + '.' + method + ': ' + e);
    }
  });
  return n;
}

const SSL_STREAMS = [
  'com.android.org.conscrypt.ConscryptFileDescriptorSocket$SSLOutputStream',
  'com.android.org.conscrypt.ConscryptEngineSocket$SSLOutputStream',
];

function hookPlaintext(ctx, errors) {
  // Requests as the app builds them (okhttp) and as they enter TLS (Conscrypt): seen even when the proxy is
  // pinned out. Cipher input: what SDKs encrypt before sending (their "encrypted payloads").
  let n = hookOverloads('okhttp3.Request$Builder', 'build', function (overload) {
    return function () {
      const req = overload.apply(this, arguments);
      try {
        const url = String(req.url().toString());
        const msg = { source: 'okhttp', url: url, method: String(req.method()), headers: String(req.headers()) };
        const body = req.body();
        let bytes = [];
        if (body && !(typeof body.isOneShot === 'function' && body.isOneShot())) {
          const buf = Java.use('okio.Buffer').$new();
          body.writeTo(buf);
          bytes = buf.readByteArray();
        }
        sendPlaintext(msg, bytes, 0, bytes.length, ctx);
      } catch (e) {
        send({ type: 'agent_error', error: 'okhttp request: ' + e, t: now() });
      }
      return req;
    };
  }, errors);
  SSL_STREAMS.forEach(function (cls) {
    n += hookOverloads(cls, 'write', function (overload) {
      return function () {
        const a = arguments;
        if (a.length === 3 && a[0] !== null && typeof a[0] === 'object') {
          const msg = { source: 'ssl' };
          try {
            const sock = this.this$0.value;
            msg.host = String(sock.getHostname());
            msg.port = Number(sock.getPort());
          } catch (e) {
            /* host unknown */
          }
          sendPlaintext(msg, a[0], Number(a[1]), Number(a[2]), ctx);
        }
        return overload.apply(this, arguments);
      };
    }, errors);
  });
  ['doFinal', 'update'].forEach(function (method) {
    n += hookOverloads('javax.crypto.Cipher', method, function (overload) {
      return function () {
        // (input), (input, off, len), (input, off, len, output[, outOff]); (output, outOff) has no input.
        // Reported after the original ran: the output (the start of the ciphertext) is what links the
        // plaintext to the request that later carries it; a call that throws is not reported.
        const a = arguments;
        const input = a.length === 1 || a.length >= 3 ? a[0] : null;
        const tid = threadId();
        const key = 'javax.crypto.Cipher.' + method;
        const nested = enter(tid, key); // one overload calling another: report the outer call only
        let out;
        try {
          out = overload.apply(this, arguments);
        } finally {
          leave(tid, key);
        }
        if (!nested) {
          const hasInput = input !== null && typeof input === 'object' && typeof input.length === 'number';
          const off = hasInput && a.length >= 3 ? Number(a[1]) : 0;
          const len = hasInput ? (a.length >= 3 ? Number(a[2]) : input.length) : 0;
          cipherCall(this, method, hasInput ? input : [], off, len, a, out, ctx);
        }
        return out;
      };
    }, errors);
  });
  return n;
}

function hookUnpinning(errors) {
  // Optional certificate-pinning bypass so the proxy sees pinned SDKs' requests: the system trust manager
  // accepts the chain it is given (the proxy's CA is installed as a system CA), OkHttp's pinner checks nothing.
  let n = hookOverloads('com.android.org.conscrypt.TrustManagerImpl', 'verifyChain', function () {
    return function (untrustedChain) {
      return untrustedChain;
    };
  }, errors);
  n += hookOverloads('okhttp3.CertificatePinner', 'check', function () {
    return function () {
      return undefined;
    };
  }, errors);
  return n;
}

function hookPermissionResults(ctx, errors) {
  let activity;
  try {
    activity = Java.use('android.app.Activity');
  } catch (e) {
    errors.push('android.app.Activity: ' + e);
    return;
  }
  // dispatchRequestPermissionsResult[ToFragment] call onRequestPermissionsResult; hooking them catches apps that
  // override onRequestPermissionsResult without calling super (a hook on the base method would miss those).
  ['dispatchRequestPermissionsResult', 'dispatchRequestPermissionsResultToFragment'].forEach(function (name) {
    const method = activity[name];
    if (!method || !method.overloads) return;
    method.overloads.forEach(function (overload) {
      try {
        overload.implementation = function () {
          // Reported before the app's handler runs: an app that asks again right inside
          // onRequestPermissionsResult must show the answer first, then the re-ask.
          reportPermissionResults(this, arguments[1], ctx);
          return overload.apply(this, arguments);
        };
        state.permissionHooks++;
      } catch (e) {
        errors.push('android.app.Activity.' + name + ': ' + e);
      }
    });
  });
}

function hookApi(entry, ctx, missing, errors) {
  const parts = splitApi(entry.api);
  if (parts === null) {
    errors.push(entry.api + ': not a Class.method name');
    return;
  }
  let klass;
  try {
    klass = Java.use(parts.cls);
  } catch (e) {
    missing.push(entry.api); // class absent on this Android version
    return;
  }
  const method = klass[parts.method];
  if (!method || !method.overloads) {
    missing.push(entry.api);
    return;
  }
  method.overloads.forEach(function (overload) {
    try {
      overload.implementation = function () {
        const args = Array.prototype.slice.call(arguments);
        const tid = threadId();
        const nested = enter(tid, entry.api);
        let ret;
        try {
          ret = overload.apply(this, arguments);
        } catch (e) {
          // Android 10+ getImei/getDeviceId, any read before the permission is granted: the attempt is
          // collection behaviour too. Report it with the exception, then let the app see the exception.
          leave(tid, entry.api);
          if (!nested && argsMatch(entry.filters, args)) report(entry, args, null, e, ctx);
          throw e;
        }
        leave(tid, entry.api);
        if (!nested && argsMatch(entry.filters, args)) report(entry, args, ret, null, ctx);
        return ret;
      };
      state.hooked++;
    } catch (e) {
      errors.push(entry.api + ': ' + e);
    }
  });
}

/* ---------------------------------------------------------------- view tree (uiautomator fallback) */

const VIEW_TREE_MAX_NODES = 20000;
const VIEW_TREE_MAX_DEPTH = 300;

function javaString(v) {
  if (v === null || v === undefined) return '';
  try {
    return String(v.toString());
  } catch (e) {
    return '';
  }
}

function viewTree() {
  // The app's windows as the host's dialog finder reads a uiautomator dump: WindowManagerGlobal's root views
  // (one per window: activities, dialogs, popups) walked depth-first through ViewGroup children. Returns
  // {nodes: [{parent, class, text, content_desc, resource_id, package, clickable, checkable, checked,
  // enabled, password, visible, bounds: [x1, y1, x2, y2], hint}], roots, errors}; parent = index or -1.
  // Called when `uiautomator dump` cannot read the screen (animations: "could not get idle state").
  const out = { nodes: [], roots: 0, errors: [], truncated: false };
  const tid = threadId();
  state.reporting[tid] = true; // hooked APIs the walk calls are the agent's own calls
  try {
    const View = Java.use('android.view.View');
    const ViewGroup = Java.use('android.view.ViewGroup');
    const TextView = Java.use('android.widget.TextView');
    const Checkable = Java.use('android.widget.Checkable');
    const global = Java.use('android.view.WindowManagerGlobal').getInstance();
    const views = global.mViews.value; // ArrayList<View>, the root view of every window of this process
    let pkg = '';
    const count = Number(views.size());
    out.roots = count;
    const walk = function (raw, parent, depth) {
      if (out.nodes.length >= VIEW_TREE_MAX_NODES || depth > VIEW_TREE_MAX_DEPTH) {
        out.truncated = true;
        return;
      }
      const v = Java.cast(raw, View);
      const node = { parent: parent };
      const prop = function (name, fn, fallback) {
        try {
          node[name] = fn();
        } catch (e) {
          node[name] = fallback;
          if (out.errors.length < 20) out.errors.push(name + ': ' + e);
        }
      };
      prop('class', function () { return String(v.getClass().getName()); }, '');
      prop('content_desc', function () { return javaString(v.getContentDescription()); }, '');
      prop('clickable', function () { return Boolean(v.isClickable()); }, false);
      prop('enabled', function () { return Boolean(v.isEnabled()); }, true);
      prop('visible', function () { return Boolean(v.isShown()); }, false);
      prop('resource_id', function () {
        const id = Number(v.getId());
        if (id === -1 || id === 0) return '';
        try {
          return String(v.getResources().getResourceName(id));
        } catch (e) {
          return ''; // a generated id has no name (Resources$NotFoundException)
        }
      }, '');
      node.text = '';
      node.hint = '';
      node.password = false;
      if (TextView.class.isInstance(v)) {
        const tv = Java.cast(v, TextView);
        prop('text', function () { return javaString(tv.getText()); }, '');
        prop('hint', function () { return javaString(tv.getHint()); }, '');
        prop('password', function () {
          const t = Number(tv.getInputType());
          return (t & 0xfff) === 0x81 || (t & 0xfff) === 0xe1 || (t & 0xfff) === 0x12; // *_VARIATION_PASSWORD
        }, false);
      }
      if (node.password) node.text = ''; // never read what was typed into a password field
      node.checkable = Boolean(Checkable.class.isInstance(v));
      node.checked = false;
      if (node.checkable) prop('checked', function () { return Boolean(Java.cast(v, Checkable).isChecked()); }, false);
      prop('bounds', function () {
        if (!node.visible) return [0, 0, 0, 0];
        const loc = Java.array('int', [0, 0]);
        v.getLocationOnScreen(loc);
        const x = Number(loc[0]);
        const y = Number(loc[1]);
        return [x, y, x + Number(v.getWidth()), y + Number(v.getHeight())];
      }, [0, 0, 0, 0]);
      if (!pkg) {
        try {
          pkg = String(v.getContext().getPackageName());
        } catch (e) {
          /* unknown */
        }
      }
      node.package = pkg;
      const index = out.nodes.length;
      out.nodes.push(node);
      if (ViewGroup.class.isInstance(v)) {
        const g = Java.cast(v, ViewGroup);
        const n = Number(g.getChildCount());
        for (let i = 0; i < n; i++) walk(g.getChildAt(i), index, depth + 1);
      }
    };
    for (let i = 0; i < count; i++) walk(views.get(i), -1, 0);
  } catch (e) {
    out.errors.push('view tree: ' + e);
  } finally {
    delete state.reporting[tid];
  }
  return out;
}

function installHooks(config) {
  state.config = {
    apis: Array.isArray(config.apis) ? config.apis : [],
    mask: Boolean(config.mask),
    maxStack: config.maxStack || 48,
    maxValueLength: config.maxValueLength || 2048,
    maxBody: config.maxBody || 65536,
  };
  if (typeof Java === 'undefined' || !Java.available) {
    send({ type: 'agent_error', error: 'Java bridge not available in this Frida runtime', t: now() });
    return;
  }
  Java.perform(function () {
    const ctx = {
      Log: Java.use('android.util.Log'),
      Throwable: Java.use('java.lang.Throwable'),
      Thread: Java.use('java.lang.Thread'),
    };
    const missing = [];
    const errors = [];
    state.config.apis.forEach(function (entry) {
      hookApi(entry, ctx, missing, errors);
    });
    if (config.permissionResults !== false) hookPermissionResults(ctx, errors);
    const plaintextHooks = config.plaintext ? hookPlaintext(ctx, errors) : 0;
    const unpinHooks = config.unpin ? hookUnpinning(errors) : 0;
    send({
      type: 'agent_ready',
      hooked: state.hooked,
      permission_hooks: state.permissionHooks,
      plaintext_hooks: plaintextHooks,
      unpin_hooks: unpinHooks,
      apis: state.config.apis.length,
      missing: missing,
      errors: errors.slice(0, 50),
      t: now(),
    });
  });
}

if (typeof rpc !== 'undefined') {
  rpc.exports = {
    init: function (config) {
      installHooks(config || {});
      return true;
    },
    // the windows of this process (works without init: the host also loads the agent into the system's
    // permission controller to read its dialogs); Python: script.exports_sync.view_tree()
    viewTree: function () {
      if (typeof Java === 'undefined' || !Java.available) {
        return { nodes: [], roots: 0, errors: ['Java bridge not available in this Frida runtime'] };
      }
      let result = null;
      Java.perform(function () {
        result = viewTree();
      });
      return result || { nodes: [], roots: 0, errors: ['the Java VM is not ready yet'] };
    },
  };
}

if (typeof module !== 'undefined' && module.exports) {
  module.exports = {
    sha256Hex,
    formatValue,
    parseJavaStack,
    argsMatch,
    splitApi,
    utf8Bytes,
    shapeValue,
    base64Bytes,
  };
}
