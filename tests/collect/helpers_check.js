// Prints the agent's pure helpers' results for inputs given as JSON on argv, for comparison in Python.
'use strict';
const agent = require(process.argv[2]);
const input = JSON.parse(process.argv[3]);
const out = {
  sha256: input.sha256.map((s) => agent.sha256Hex(s)),
  stack: agent.parseJavaStack(input.stack, 64),
  argsMatch: input.argsMatch.map(([f, a]) => agent.argsMatch(f, a)),
  splitApi: input.splitApi.map((a) => agent.splitApi(a)),
  format: input.format.map((v) => agent.formatValue(v, 16)),
};
process.stdout.write(JSON.stringify(out));
