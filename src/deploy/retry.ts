/**
 * Retries for tenant API calls: exponential backoff with full jitter on 429, 5xx and dropped connections,
 * honouring Retry-After. The SDKs' own retry policies are switched off so a request is never retried twice over.
 */
export interface RetryOptions {
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Per-attempt timeout. */
  timeoutMs: number;
  /** For tests: deterministic randomness. */
  random?: () => number;
  onRetry?: (attempt: number, delayMs: number, reason: string) => void;
}

export const DEFAULT_RETRY: RetryOptions = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 30_000, timeoutMs: 60_000 };

/** An HTTP failure from a tenant API, with the status and a body excerpt (never headers: they hold tokens). */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
  get retryable(): boolean {
    return this.status === undefined || this.status === 408 || this.status === 429 || this.status >= 500;
  }
}

const CREDENTIAL_ERRORS = /^(AggregateAuthenticationError|CredentialUnavailableError|AuthenticationRequiredError|AuthenticationError)$/;

/**
 * No token could be obtained: retrying will not help, and @azure/identity's messages run to many lines.
 * Returns a one-line, non-retryable error (status 401) or undefined when `name` is not a credential error.
 */
export function credentialError(what: string, name: string | undefined): ApiError | undefined {
  if (!name || !CREDENTIAL_ERRORS.test(name)) return undefined;
  return new ApiError(`${what}: no Azure credential (${name}); sign in with \`az login\`, or in CI use azure/login with OIDC (docs/deploy.md)`, 401);
}

export function parseRetryAfter(value: string | null | undefined): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export async function withRetry<T>(what: string, fn: (signal: AbortSignal) => Promise<T>, options: RetryOptions = DEFAULT_RETRY): Promise<T> {
  const random = options.random ?? Math.random;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(AbortSignal.timeout(options.timeoutMs));
    } catch (err) {
      const apiError = err instanceof ApiError ? err : (credentialError(what, (err as Error).name) ?? new ApiError(`${what}: ${(err as Error).message}`, undefined));
      if (!apiError.retryable || attempt >= options.maxAttempts) throw apiError;
      const backoff = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1)) * random();
      const delay = Math.min(options.maxDelayMs, Math.max(backoff, apiError.retryAfterMs ?? 0));
      options.onRetry?.(attempt, delay, apiError.message);
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Runs `fn` over `items` with at most `limit` in flight; results keep input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  });
  await Promise.all(workers);
  return results;
}
