// Introspection as client tooling does it: sends graphql-js's full introspection query by POST,
// rebuilds the schema from the answer and compares it with schema.graphql at the repo root.
// Usage: node introspection.mjs BASE_URL
// Exit 1 on an error answer, a stale tests/fixtures/introspection.graphql, or any difference.
import { readFileSync } from 'node:fs';
import {
  GraphQLSchema,
  buildClientSchema,
  buildSchema,
  findBreakingChanges,
  findDangerousChanges,
  isSpecifiedDirective,
  lexicographicSortSchema,
  printSchema,
  specifiedDirectives,
} from 'graphql';
import { baseUrl } from './common.mjs';
import { FIXTURE, INTROSPECTION_QUERY } from './print-introspection-query.mjs';

const url = `${baseUrl('introspection.mjs')}/graphql`;
const SCHEMA_FILE = new URL('../../schema.graphql', import.meta.url);

function fail(message) {
  console.error(`introspection: FAILED: ${message}`);
  process.exit(1);
}

/** A line diff (LCS), printed as unified-style hunks with 3 lines of context, at most `limit` changed lines. */
function printDiff(expected, actual, limit = 60) {
  const a = expected.split('\n');
  const b = actual.split('\n');
  const n = a.length;
  const m = b.length;
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops = []; // [kind, text, line in a, line in b]
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push([' ', a[i], i++, j++]);
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push(['-', a[i], i++, j]);
    else ops.push(['+', b[j], i, j++]);
  }
  console.error('--- schema.graphql');
  console.error(`+++ ${url} (introspection)`);
  const changed = ops.flatMap((op, k) => (op[0] === ' ' ? [] : [k])).slice(0, limit);
  let k = 0;
  while (k < changed.length) {
    // A hunk: changes at most 6 lines apart, with 3 lines of context around.
    let last = k;
    while (last + 1 < changed.length && changed[last + 1] - changed[last] <= 6) last++;
    const from = Math.max(changed[k] - 3, 0);
    const to = Math.min(changed[last] + 4, ops.length);
    console.error(`@@ -${ops[from][2] + 1} +${ops[from][3] + 1} @@`);
    for (let x = from; x < to; x++) console.error(`${ops[x][0]}${ops[x][1]}`);
    k = last + 1;
  }
  if (ops.filter((op) => op[0] !== ' ').length > limit) console.error(`... (diff cut after ${limit} changed lines)`);
}

// The Rust tests send the committed copy: it must be the same document.
let fixture;
try {
  fixture = readFileSync(FIXTURE, 'utf8');
} catch (err) {
  fail(`cannot read ${FIXTURE}: ${err.message}`);
}
if (fixture !== INTROSPECTION_QUERY) {
  fail(`${FIXTURE} differs from getIntrospectionQuery(); run node tests/graphql-http/print-introspection-query.mjs`);
}

let response;
try {
  response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
    },
    body: JSON.stringify({ query: INTROSPECTION_QUERY, operationName: 'IntrospectionQuery' }),
  });
} catch (err) {
  fail(`POST ${url}: ${err.cause?.message ?? err.message}`);
}
const text = await response.text();
let result;
try {
  result = JSON.parse(text);
} catch {
  fail(`POST ${url} answered ${response.status} with a body that is not JSON: ${text.slice(0, 300)}`);
}
if (response.status !== 200) fail(`POST ${url} answered ${response.status}: ${text.slice(0, 500)}`);
if (result.errors?.length) fail(`the answer has errors: ${JSON.stringify(result.errors, null, 2)}`);
if (!result.data?.__schema) fail(`the answer has no data.__schema: ${text.slice(0, 300)}`);

let live;
let file;
try {
  live = buildClientSchema(result.data);
} catch (err) {
  fail(`buildClientSchema rejected the introspection result: ${err.message}`);
}
try {
  file = buildSchema(readFileSync(SCHEMA_FILE, 'utf8'));
} catch (err) {
  fail(`schema.graphql does not build: ${err.message}`);
}

// The built-in directives (@include, @skip, @deprecated, @specifiedBy, @oneOf) are defined by the
// spec, not by the schema, and differ between library versions (graphql-js 16.15's @deprecated
// also allows DIRECTIVE_DEFINITION; async-graphql's does not). printSchema leaves them out; give
// both sides graphql-js's definitions so that findBreakingChanges leaves them out too.
function withStandardDirectives(schema) {
  const config = schema.toConfig();
  return new GraphQLSchema({
    ...config,
    directives: [...specifiedDirectives, ...config.directives.filter((d) => !isSpecifiedDirective(d))],
  });
}
// async-graphql answers `__schema.description` with the description of the `__Schema` type
// itself (a fixed text it cannot leave out); it is not part of our schema, so it is not compared.
function withoutSchemaDescription(schema) {
  return new GraphQLSchema({ ...schema.toConfig(), description: undefined });
}
live = withoutSchemaDescription(withStandardDirectives(live));
file = withoutSchemaDescription(withStandardDirectives(file));

let ok = true;
const printedFile = printSchema(lexicographicSortSchema(file));
const printedLive = printSchema(lexicographicSortSchema(live));
if (printedFile !== printedLive) {
  ok = false;
  console.error('introspection: the live schema differs from schema.graphql (both sorted and printed):');
  printDiff(printedFile, printedLive);
}
const changes = [
  ['breaking, schema.graphql -> live', findBreakingChanges(file, live)],
  ['breaking, live -> schema.graphql', findBreakingChanges(live, file)],
  ['dangerous, schema.graphql -> live', findDangerousChanges(file, live)],
  ['dangerous, live -> schema.graphql', findDangerousChanges(live, file)],
];
for (const [label, list] of changes) {
  if (list.length === 0) continue;
  ok = false;
  console.error(`introspection: ${list.length} ${label} change(s):`);
  for (const change of list) console.error(`  ${change.type}: ${change.description}`);
}
if (!ok) fail('schema.graphql does not match the live schema');

const types = Object.keys(live.getTypeMap()).filter((name) => !name.startsWith('__')).length;
console.log(`introspection: schema.graphql matches the live schema (${types} types)`);
