// Runs agent.js in node's vm with a minimal stand-in for Frida's globals (send, rpc, Java) so the hook
// installation and reporting path run without a device. The stand-in follows Frida 16's Java bridge
// surface the agent uses: Java.available, Java.perform(fn), Java.use(cls) -> {method: {overloads: [...]}},
// overload.implementation = fn, overload.apply(self, args) calls the original, Throwable.$new(),
// Log.getStackTraceString(t), Thread.currentThread().getName().
'use strict';
const fs = require('fs');
const vm = require('vm');

const [agentPath, configJson, callsJson] = process.argv.slice(2);
const sent = [];
const classes = {};

function makeOverload(cls, name, original) {
  const o = { implementation: null, cls: cls, name: name };
  o.apply = function (self, args) { return original.apply(self, args); };
  o.call = function (self, ...args) { return original.apply(self, args); };
  return o;
}
// Framework classes present on the simulated device: every catalogue API except those named in "absent".
const calls = JSON.parse(callsJson);
const absent = new Set(calls.absent || []);
function use(cls) {
  if (cls === 'android.util.Log') {
    return { getStackTraceString: (t) => t.text };
  }
  if (cls === 'java.lang.Throwable') {
    return { $new: () => ({ text: 'java.lang.Throwable\n\tat ' + current.api + '(Native Method)\n\tat com.example.app.Main.onCreate(Main.java:10)\n\tat android.app.Activity.performCreate(Activity.java:8000)' }) };
  }
  if (cls === 'java.lang.Thread') {
    return { currentThread: () => ({ getName: () => 'main' }) };
  }
  if (absent.has(cls)) throw new Error('java.lang.ClassNotFoundException: ' + cls);
  if (!classes[cls]) {
    classes[cls] = new Proxy({}, {
      get(target, prop) {
        if (typeof prop !== 'string') return undefined;
        if (!target[prop]) {
          const ret = (calls.returns || {})[cls + '.' + (prop === '$init' ? '<init>' : prop)];
          target[prop] = { overloads: [makeOverload(cls, prop, () => (ret === undefined ? null : ret)),
                                       makeOverload(cls, prop, () => (ret === undefined ? null : ret))] };
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
  Java: { available: true, perform: (fn) => fn(), use: use },
  console: console,
};
vm.createContext(sandbox);
vm.runInContext(fs.readFileSync(agentPath, 'utf8'), sandbox, { filename: 'agent.js' });
sandbox.rpc.exports.init(JSON.parse(configJson));
for (const c of calls.invoke || []) {
  current = c;
  const dot = c.api.lastIndexOf('.');
  const cls = c.api.substring(0, dot);
  let m = c.api.substring(dot + 1);
  if (m === '<init>') m = '$init';
  const ov = use(cls)[m].overloads[c.overload || 0];
  if (!ov.implementation) throw new Error('not hooked: ' + c.api);
  ov.implementation.apply({}, c.args || []);
}
process.stdout.write(JSON.stringify(sent));
