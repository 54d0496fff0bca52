// Finds secrets in anything a test collected: traces, events, errors, logs, console lines.

export interface SecretFinding {
  /** Where the secret was found, e.g. `[2].error.message`. */
  path: string;
  /** Which secret (by position in the list given), never the secret itself. */
  secretIndex: number;
}

/**
 * Walks `values` (strings, numbers, arrays, plain objects, Errors, Maps) and reports every place a
 * secret appears, also URL-encoded or base64-encoded (how a secret leaks through a URL or a header).
 * Secrets shorter than 4 characters are refused: they would match by accident.
 */
export function scanForSecrets(values: unknown, secrets: readonly string[]): SecretFinding[] {
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret.length < 4) throw new Error('scanForSecrets: every secret must be a string of at least 4 characters');
  }
  const needles = secrets.map((secret) => [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64')]);
  const findings: SecretFinding[] = [];
  const seen = new WeakSet<object>();

  const visit = (value: unknown, path: string, depth: number): void => {
    if (depth > 64) return;
    if (typeof value === 'string') {
      needles.forEach((forms, secretIndex) => {
        if (forms.some((form) => value.includes(form))) findings.push({ path: path || '(root)', secretIndex });
      });
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    if (seen.has(value)) return;
    seen.add(value);
    if (value instanceof Error) {
      visit(value.message, `${path}.message`, depth + 1);
      visit(value.stack, `${path}.stack`, depth + 1);
      visit((value as { cause?: unknown }).cause, `${path}.cause`, depth + 1);
    }
    if (value instanceof Map) {
      for (const [k, v] of value) {
        visit(k, `${path}.<key>`, depth + 1);
        visit(v, `${path}.${String(k)}`, depth + 1);
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => visit(item, `${path}[${i}]`, depth + 1));
      return;
    }
    for (const key of Object.keys(value)) {
      visit(key, `${path}.<key>`, depth + 1);
      visit((value as Record<string, unknown>)[key], `${path}.${key}`, depth + 1);
    }
  };

  visit(values, '', 0);
  return findings;
}
