/**
 * The ways to reach the upstream that the benchmark compares. `b0` and `c0` are (b) and (c) of another
 * build of kas (a baseline checkout, see `BENCH_KAS_BASELINE`), run beside this one's.
 */
export type Variant = 'a' | 'b' | 'c' | 'd' | 'e' | 'b-https' | 'd-https' | 'b0' | 'c0';

/** What each variant is, for the table. */
export const VARIANT_LABELS: Readonly<Record<Variant, string>> = {
  a: '(a) fake API directly',
  b: '(b) kas, local tunnel',
  c: '(c) kas, forwarded to replica',
  d: '(d) two node:http hops',
  e: '(e) three node:http hops',
  'b-https': '(b) kas, local tunnel, HTTPS',
  'd-https': '(d) two hops, HTTPS first',
  b0: '(b) baseline build, local tunnel',
  c0: '(c) baseline build, forwarded',
};

/** The plain reference each variant's requests/s is compared with: as many processes on the path. */
export const REFERENCE_OF: Readonly<Partial<Record<Variant, Variant>>> = {
  b: 'd',
  b0: 'd',
  c: 'e',
  c0: 'e',
  'b-https': 'd-https',
};
