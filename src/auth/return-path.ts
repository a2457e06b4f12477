/**
 * A path we may redirect to after login or logout: local only. Anything else (an absolute URL,
 * "//host", "/\host", control characters, an over-long value) is dropped, against open redirects.
 */
export function safeLocalPath(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 500) return undefined;
  if (!value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined;
  // Control characters and backslashes: browsers strip or rewrite them, which can change the target.
  if ([...value].some((c) => c < ' ' || c === '\u007f' || c === '\\')) return undefined;
  try {
    // The URL parser is what browsers use: it must still resolve to our own origin.
    const base = 'http://portal.invalid';
    if (new URL(value, base).origin !== base) return undefined;
  } catch {
    return undefined;
  }
  return value;
}
