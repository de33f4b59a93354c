// What counts as private key material in a shipped file (the npm package's and the Debian package's checks).
/** The ANSI X9.24 test BDKs: published in the standard, never a shop's key. */
const PUBLIC_TEST_BDKS = new Set(['0123456789ABCDEFFEDCBA9876543210', 'FEDCBA9876543210F1F1F1F1F1F1F1F1']);

/** What in `text` looks like private key material (empty when nothing). */
export function privateKeyMaterial(text: string): string[] {
  const found: string[] = [];
  if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) found.push('PEM private key');
  if (/"(d|privateExponent)"\s*:\s*"[0-9A-Fa-f]{64,}"/.test(text) && /"p"\s*:\s*"[0-9A-Fa-f]{32,}"/.test(text)) found.push('RSA private key (hex JSON)');
  if (/"d"\s*:\s*"[A-Za-z0-9_-]{43,}"/.test(text) && /"kty"\s*:\s*"RSA"/.test(text)) found.push('RSA private key (JWK)');
  if (/"privateKey"\s*:\s*"[^"]{32,}"/.test(text)) found.push('"privateKey" value');
  for (const m of text.matchAll(/BDK\w*\W{1,6}([0-9A-Fa-f]{32}(?:[0-9A-Fa-f]{16}){0,2})\b/gi)) {
    if (!PUBLIC_TEST_BDKS.has(m[1].toUpperCase())) found.push(`BDK ${m[1].slice(0, 6)}…`);
  }
  return found;
}

