/**
 * Compiles `http.exclude` once. A string excludes its path and every path below it; a RegExp
 * is tested against the path. `undefined` when nothing is excluded, so requests skip the check.
 */
export function pathExclusion(
  entries: readonly (string | RegExp)[],
): ((path: string) => boolean) | undefined {
  if (entries.length === 0) return undefined;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const patterns: RegExp[] = [];
  for (const entry of entries) {
    if (entry instanceof RegExp) {
      patterns.push(entry);
      continue;
    }
    const path = entry.length > 1 ? entry.replace(/\/+$/, '') : entry;
    exact.add(path);
    prefixes.push(path === '/' ? '/' : `${path}/`);
  }
  return (path) => {
    if (exact.has(path)) return true;
    for (const prefix of prefixes) if (path.startsWith(prefix)) return true;
    for (const pattern of patterns) if (pattern.test(path)) return true;
    return false;
  };
}

/** The path of a request target (`/a/b?x=1` → `/a/b`), as sent: not decoded. */
export function requestPath(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
