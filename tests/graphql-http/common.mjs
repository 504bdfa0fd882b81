// Helpers shared by the scripts in this folder.

/** The server base URL from the first argument, without a trailing slash; exits 2 without one. */
export function baseUrl(script) {
  const arg = process.argv[2];
  if (!arg || !/^https?:\/\/[^/]+/.test(arg)) {
    console.error(`usage: node ${script} BASE_URL   (e.g. http://127.0.0.1:18080)`);
    process.exit(2);
  }
  return arg.replace(/\/+$/, '');
}
