/** How many items a message lists before it says how many more there are. */
const MOST_LISTED = 10;

/**
 * `items` joined with `separator` for a message, or for a long list (a fix for each of 20,000 modules)
 * the first few and `… and N more`: a finding's `modules` list keeps them all.
 */
export function listSome(items: readonly string[], separator = ', '): string {
  if (items.length <= MOST_LISTED + 1) return items.join(separator);
  const more = (items.length - MOST_LISTED).toLocaleString('en-US');
  return [...items.slice(0, MOST_LISTED), `… and ${more} more`].join(separator);
}
