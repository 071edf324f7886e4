// Runs agent.js in node's vm with a minimal stand-in for Frida's globals (send, rpc, Java) so the hook
// installation and reporting path run without a device. The stand-in follows Frida 16's Java bridge
// surface the agent uses: Java.available, Java.perform(fn), Java.use(cls) -> {method: {overloads: [...]}},
// overload.implementation = fn, overload.apply(self, args) calls the original, Throwable.$new(),
// Log.getStackTraceString(t), Thread.currentThread().getName(), Process.getCurrentThreadId().
// The calls file (JSON) drives the simulated app:
//   absent: [class]                         classes missing on this device
//   returns: {"cls.method": value}          what the original returns; {"$java": cls, fields, methods, items}
//                                           builds a Java object (fields as {value}, methods, List items)
//   throws: {"cls.method": "java.lang.SecurityException: ..."}   the original throws
//   (a method spec {"$writeTo": bytes} writes bytes into the okio.Buffer it is given)
//   ({"$loc": [x, y]} fills the int[] it is given, as View.getLocationOnScreen does; {"$throws": msg} throws;
//    "isa": [cls] lists the classes and interfaces an object is an instance of, for X.class.isInstance)
//   no_init: true                           do not call rpc.exports.init (RPC exports used on their own)
//   rpc: [name]                             call these RPC exports after the invokes: {type: "sim_rpc", result}
//   nested: {"cls.method": n}               overload 0's original calls overload n (through its hook)
//   during: {"cls.method": {api, args}}     the original calls another (hooked) API before returning
//   invoke: [{api, args, overload, self, tid, stack, during_report: {api, args, tid}}]
//           stack = the caller's frames below the hooked method (default: the app's Main.onCreate)
//           self = the receiver (a $java spec), tid = the calling thread, during_report = a call another
//           thread makes while this call's report is being built (inside Throwable.$new)
'use strict';
const fs = require('fs');
const vm = require('vm');

const [agentPath, configJson, callsJson] = process.argv.slice(2);
const sent = [];
const classes = {};

function materialize(spec) {
  if (Array.isArray(spec)) return spec.map(materialize);
  if (spec === null || typeof spec !== 'object' || typeof spec.$java !== 'string') return spec;
  const o = { $className: spec.$java, $isa: [spec.$java].concat(spec.isa || []) };
  if (Array.isArray(spec.items)) {
    const items = spec.items.map(materialize);
    o.size = () => items.length;
    o.get = (i) => items[i];
  }
  for (const [k, v] of Object.entries(spec.fields || {})) o[k] = { value: materialize(v) };
  for (const [k, v] of Object.entries(spec.methods || {})) {
    if (v !== null && typeof v === 'object' && v.$byArg) o[k] = (a) => materialize(v.$byArg[a]);
    else if (v !== null && typeof v === 'object' && v.$writeTo) o[k] = (buf) => { buf.data = v.$writeTo; };
    else if (v !== null && typeof v === 'object' && v.$loc) o[k] = (arr) => { arr[0] = v.$loc[0]; arr[1] = v.$loc[1]; };
    else if (v !== null && typeof v === 'object' && v.$throws) o[k] = () => { throw new Error(v.$throws); };
    else o[k] = () => materialize(v);
  }
  o.toString = () => spec.toString || spec.$java + '@1f2e3d';
  return o;
}

function makeOverload(cls, name, original) {
  const o = { implementation: null, cls: cls, name: name };
  o.apply = function (self, args) { return original.apply(self, args); };
  o.call = function (self, ...args) { return original.apply(self, args); };
  return o;
}
// Framework classes present on the simulated device: every catalogue API except those named in "absent".
const calls = JSON.parse(callsJson);
const absent = new Set(calls.absent || []);
let currentTid = 1;
let pendingDuring = null;
function invoke(c) {
  const dot = c.api.lastIndexOf('.');
  const cls = c.api.substring(0, dot);
  let m = c.api.substring(dot + 1);
  if (m === '<init>') m = '$init';
  const ov = use(cls)[m].overloads[c.overload || 0];
  if (!ov.implementation) throw new Error('not hooked: ' + c.api);
  return ov.implementation.apply(materialize(c.self || {}), materialize(c.args || []));
}
function use(cls) {
  if (cls === 'android.util.Log') {
    return { getStackTraceString: (t) => t.text };
  }
  if (cls === 'java.lang.Throwable') {
    return {
      $new: () => {
        if (pendingDuring) {
          const d = pendingDuring;
          pendingDuring = null;
          const [saved, savedTid] = [current, currentTid];
          current = d;
          currentTid = d.tid || currentTid + 1;
          invoke(d);
          [current, currentTid] = [saved, savedTid];
        }
        const frames = current.stack || ['com.example.app.Main.onCreate(Main.java:10)', 'android.app.Activity.performCreate(Activity.java:8000)'];
        return { text: 'java.lang.Throwable\n\tat ' + current.api + '(Native Method)\n\tat ' + frames.join('\n\tat ') };
      },
    };
  }
  if (cls === 'okio.Buffer') {
    return { $new: () => ({ data: [], readByteArray() { return this.data; } }) };
  }
  if (cls === 'java.lang.Thread') {
    return { currentThread: () => ({ getName: () => 'main' }) };
  }
  if (absent.has(cls)) throw new Error('java.lang.ClassNotFoundException: ' + cls);
  if (!classes[cls]) {
    classes[cls] = new Proxy({}, {
      get(target, prop) {
        if (typeof prop !== 'string') return undefined;
        if (prop === 'class') {
          return { isInstance: (o) => Boolean(o && Array.isArray(o.$isa) && o.$isa.indexOf(cls) >= 0) };
        }
        if (!target[prop]) {
          const key = cls + '.' + (prop === '$init' ? '<init>' : prop);
          const ret = (calls.returns || {})[key];
          const thrown = (calls.throws || {})[key];
          const nested = (calls.nested || {})[key];
          const during = (calls.during || {})[key];
          const original = function () {
            if (during) invoke(during);  // the app's own code calling another hooked API from inside
            if (thrown) throw new Error(thrown);
            return ret === undefined ? null : materialize(ret);
          };
          const first = typeof nested === 'number'
            ? function () {
                const inner = target[prop].overloads[nested];
                return (inner.implementation || original).apply(this, arguments);
              }
            : original;
          // callable like Frida's method wrapper (static calls such as WindowManagerGlobal.getInstance())
          const method = function () {
            const ov = method.overloads[0];
            return (ov.implementation || first).apply(this, arguments);
          };
          method.overloads = [makeOverload(cls, prop, first), makeOverload(cls, prop, original)];
          target[prop] = method;
        }
        return target[prop];
      },
    });
  }
  return classes[cls];
}
let current = { api: '' };
const sandbox = {
  send: (m) => sent.push(m),
  rpc: { exports: {} },
  Java: { available: true, perform: (fn) => fn(), use: use, cast: (o) => o, array: (type, items) => items.slice() },
  Process: { getCurrentThreadId: () => currentTid },
  console: console,
};
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(agentPath, 'utf8'), sandbox, { filename: 'agent.js' });
if (!calls.no_init) sandbox.rpc.exports.init(JSON.parse(configJson));
const outcomes = [];
for (const c of calls.invoke || []) {
  current = c;
  currentTid = c.tid || 1;
  pendingDuring = c.during_report || null;
  try {
    invoke(c);
    outcomes.push('returned');
  } catch (e) {
    outcomes.push('threw: ' + e.message);  // the app must still see the exception
  }
}
if (calls.outcomes) sent.push({ type: 'sim_outcomes', outcomes: outcomes });
for (const name of calls.rpc || []) sent.push({ type: 'sim_rpc', name: name, result: sandbox.rpc.exports[name]() });
process.stdout.write(JSON.stringify(sent));
