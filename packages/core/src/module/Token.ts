declare const tokenType: unique symbol;

/**
 * A typed DI token: a tsyringe injection token (a symbol) that also carries the type of the value
 * registered under it, so `needs: { redis: RedisToken }` gives the factory a typed `redis`.
 */
export type Token<T> = symbol & { readonly [tokenType]?: T };

/** The type of the value a token stands for. */
export type TokenValue<K> = K extends Token<infer T> ? T : never;

/**
 * Creates a DI token. The description appears in errors ("needs token <description> that no module
 * provides"), so name it after what it stands for, e.g. `createToken<Redis>('redis-connection.client')`.
 */
export function createToken<T>(description: string): Token<T> {
  return Symbol(description) as Token<T>;
}

/** The description of a token, for messages. */
export function describeToken(token: symbol): string {
  return token.description ?? token.toString();
}
