// The introspection query that Apollo and GraphQL Code Generator send, as graphql-js builds it.
// Run `node print-introspection-query.mjs` to (re)write tests/fixtures/introspection.graphql, the
// identical document for the Rust tests; introspection.mjs fails when the fixture is stale.
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getIntrospectionQuery } from 'graphql';

/** The options of getIntrospectionQuery. */
export const INTROSPECTION_OPTIONS = Object.freeze({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
});

/** The query text, exactly as getIntrospectionQuery returns it. */
export const INTROSPECTION_QUERY = getIntrospectionQuery(INTROSPECTION_OPTIONS);

/** Where the committed copy lives. */
export const FIXTURE = fileURLToPath(new URL('../fixtures/introspection.graphql', import.meta.url));

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(FIXTURE, INTROSPECTION_QUERY);
  console.log(`wrote ${FIXTURE}`);
}
