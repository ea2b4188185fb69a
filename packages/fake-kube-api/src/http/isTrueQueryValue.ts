/** Whether a boolean query parameter (`watch`, `follow`, `timestamps`) is true, as Go's `ParseBool` reads it. */
export function isTrueQueryValue(value: string | null): boolean {
  return value !== null && ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(value);
}
