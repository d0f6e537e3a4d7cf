// Calls to the HTTP API (docs/http-api.md) from the page's own origin. Every answer becomes an Outcome: the body on
// success, or the server's `{code, message, errors?}` so the page can show it where it belongs. A request that
// never got an answer says so in words a person can act on.
import type { Failure, Outcome } from './wire.ts';

export interface CallOptions {
  apiKey?: string;
  body?: unknown;
  /** For writes: a retry with the same key is applied once (the console makes one per click). */
  idempotencyKey?: string;
}

export async function callApi<T>(method: string, path: string, options: CallOptions = {}): Promise<Outcome<T>> {
  const headers: Record<string, string> = {};
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, { method, headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  } catch {
    return { ok: false, failure: { code: 'network_error', message: 'The server did not answer. Check that it is running, then try again.' } };
  }
  let parsed: unknown;
  try {
    parsed = await response.json();
  } catch {
    return { ok: false, failure: { code: 'bad_response', message: `The server answered ${response.status} without JSON; try again.` } };
  }
  if (response.ok) return { ok: true, value: parsed as T };
  const error = (parsed as { error?: Failure }).error;
  return { ok: false, failure: error ?? { code: 'bad_response', message: `The server answered ${response.status}.` } };
}

/** A random key for one person's action: retries of that action reuse it, a new click makes a new one. */
export function freshKey(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  return `${prefix}-${Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('')}`;
}

/**
 * Idempotency keys per action: a new key for each new attempt, except right after an attempt whose answer was lost
 * (the connection dropped, the server did not answer) — then the same action reuses its key, so clicking again
 * cannot apply it twice.
 */
export class RetryKeys {
  private readonly inDoubt = new Map<string, string>();

  key(action: string): string {
    return this.inDoubt.get(action) ?? freshKey('console');
  }

  settle(action: string, key: string, failureCode: string | null): void {
    if (failureCode === 'disconnected' || failureCode === 'network_error' || failureCode === 'unavailable') {
      this.inDoubt.set(action, key);
      // Bounded: a page keeps few actions in doubt; the oldest is forgotten first.
      if (this.inDoubt.size > 32) this.inDoubt.delete(this.inDoubt.keys().next().value!);
    } else {
      this.inDoubt.delete(action);
    }
  }
}
