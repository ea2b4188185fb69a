/** The ways to reach the upstream that the benchmark compares. */
export type Variant = 'a' | 'b' | 'c' | 'd' | 'b-https' | 'd-https';

/** What each variant is, for the table. */
export const VARIANT_LABELS: Readonly<Record<Variant, string>> = {
  a: '(a) fake API directly',
  b: '(b) kas, local tunnel',
  c: '(c) kas, forwarded to replica',
  d: '(d) two node:http hops',
  'b-https': '(b) kas, local tunnel, HTTPS',
  'd-https': '(d) two hops, HTTPS first',
};
