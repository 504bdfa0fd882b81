// GraphQL over HTTP conformance: runs graphql-http's server audits against BASE/graphql.
// Usage: node audit.mjs BASE_URL
// Exit 1 when a MUST or SHOULD audit fails; failing MAY audits are printed but allowed.
import { serverAudits } from 'graphql-http';
import { baseUrl } from './common.mjs';

const url = `${baseUrl('audit.mjs')}/graphql`;

let passed = 0;
const failed = { MUST: 0, SHOULD: 0, MAY: 0 };
// One at a time, in the library's order: stable output, and gentle on the server's rate limits.
for (const audit of serverAudits({ url })) {
  let result;
  try {
    result = await audit.fn();
  } catch (err) {
    // The library throws only on fatal errors (e.g. the server is unreachable).
    result = { id: audit.id, name: audit.name, status: 'error', reason: `threw: ${err?.message ?? err}` };
  }
  if (result.status === 'ok') {
    passed += 1;
    continue;
  }
  const level = result.name.split(' ', 1)[0];
  failed[level in failed ? level : 'MUST'] += 1;
  console.log(`FAIL ${result.id} ${result.name}\n     ${String(result.reason).replace(/\n/g, '\n     ')}`);
}

const total = failed.MUST + failed.SHOULD + failed.MAY;
console.log(
  `graphql-http audit: ${passed} passed, ${total} failed (MUST failed: ${failed.MUST}, SHOULD failed: ${failed.SHOULD})`,
);
process.exit(failed.MUST + failed.SHOULD > 0 ? 1 : 0);
