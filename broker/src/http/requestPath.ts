/**
 * The path of an HTTP request target, without query or fragment, or
 * undefined when the target is not one. Never throws: `new URL('//', base)`
 * does (an empty authority), and a request line is untrusted input. An
 * origin-form target (`/…`, also `//…`) is taken literally, so `//` is just
 * a path no route has; an absolute-form target (`http://host/…`) gives its path.
 */
export function requestPath(target: string | undefined): string | undefined {
  const text = target ?? '/';
  if (text.startsWith('/')) {
    const end = text.search(/[?#]/);
    return end === -1 ? text : text.slice(0, end);
  }
  if (!URL.canParse(text)) return undefined;
  return new URL(text).pathname;
}
