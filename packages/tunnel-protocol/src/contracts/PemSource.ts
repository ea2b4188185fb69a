/** A PEM value (certificate, key or CA) given inline or as a file to read at start. */
export type PemSource = { readonly pem: string } | { readonly file: string };
