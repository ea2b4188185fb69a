declare const tokenType: unique symbol;

/**
 * A typed DI token: a tsyringe injection token (a symbol) that also carries the type of the value
 * registered under it, so `needs: { redis: RedisToken }` gives the factory a typed `redis`.
 */
export type Token<T> = symbol & { readonly [tokenType]?: T };

/** The type of the value a token stands for. */
export type TokenValue<K> = K extends Token<infer T> ? T : never;

/** Prefix of the global symbol registry keys of tokens (see `createToken`). */
const TOKEN_KEY_PREFIX = '@kas/core token: ';

/**
 * Creates a DI token. The description is the token's name: it appears in errors ("needs token
 * <description> that no module provides"), so name it after its package and what it stands for, e.g.
 * `createToken<Redis>('redis-connection.client')`.
 *
 * Tokens with the same description are the same token, in every copy of `@kas/core` a process loads:
 * a module built in a folder of its own resolves its own copy of `@kas/core` (and `@kas/kas`), and its
 * `needs: { activity: KasActivityToken }` must still find what kas provides (tokens are symbols from the
 * global registry, `Symbol.for`). Two different things under one description are therefore one token,
 * which `KAS_TOKEN_PROVIDED_TWICE` reports when both are provided.
 */
export function createToken<T>(description: string): Token<T> {
  return Symbol.for(`${TOKEN_KEY_PREFIX}${description}`) as Token<T>;
}

/**
 * The description of a token, for messages (without the registry key's prefix). A description with
 * control characters (an ANSI escape, a newline) is quoted with them escaped, so it cannot reach a
 * terminal raw: a token may be any symbol, so its description is not checked where it is declared.
 */
export function describeToken(token: symbol): string {
  const description = token.description ?? token.toString();
  const name = description.startsWith(TOKEN_KEY_PREFIX)
    ? description.slice(TOKEN_KEY_PREFIX.length)
    : description;
  return [...name].some(isControl) ? `"${[...name].map(escapeControl).join('')}"` : name;
}

/** C0 and C1 control characters, DEL, line and paragraph separators, and bidirectional overrides. */
function isControl(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0x2028 ||
    code === 0x2029 ||
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069)
  );
}

/** `char`, or its `\\uXXXX` escape when it is a control character (and `"` and `\\` escaped). */
export function escapeControl(char: string): string {
  if (char === '"' || char === '\\') return `\\${char}`;
  return isControl(char) ? `\\u${(char.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}` : char;
}
