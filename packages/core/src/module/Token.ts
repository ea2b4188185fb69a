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

/** The description of a token, for messages (without the registry key's prefix). */
export function describeToken(token: symbol): string {
  const description = token.description ?? token.toString();
  return description.startsWith(TOKEN_KEY_PREFIX) ? description.slice(TOKEN_KEY_PREFIX.length) : description;
}
