// Merchant webhooks: one signed HTTP POST per effect to the merchant's endpoint. The worker (workers.ts)
// retries with backoff and dead-letters what keeps failing; this file only knows how to deliver once.
import type { WebhookEffect } from './effect-spec.ts';
import { signWebhook, SIGNATURE_HEADER, WEBHOOK_EVENT_HEADER, WEBHOOK_ID_HEADER } from './webhook-signing.ts';

export interface WebhookEndpoint {
  /** http(s) URL that receives the POSTs. */
  url: string;
  /** Signing secrets, newest first; each signs a v1 (two while a merchant rotates). At least one. */
  secrets: readonly string[];
}

/**
 * Where each merchant's webhooks go. `endpointFor` is read at every delivery attempt (a fixed URL applies to
 * the retries still due); `wants` is read when effects are derived (no job for a merchant without endpoint).
 * Both must be cheap; `wants` must be synchronous (the outbox calls it on the engine's thread).
 */
export interface WebhookEndpoints {
  wants(merchantId: string): boolean;
  endpointFor(merchantId: string): WebhookEndpoint | null | Promise<WebhookEndpoint | null>;
}

/** Endpoints held in memory, e.g. loaded from merchant settings at start. Bounded by `maxMerchants`. */
export class InMemoryWebhookEndpoints implements WebhookEndpoints {
  private readonly endpoints = new Map<string, WebhookEndpoint>();

  constructor(private readonly maxMerchants = 100_000) {}

  set(merchantId: string, endpoint: WebhookEndpoint): void {
    const url = new URL(endpoint.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RangeError(`webhook URL must be http(s), got ${url.protocol}`);
    if (endpoint.secrets.length === 0) throw new RangeError('a webhook endpoint needs at least one signing secret');
    if (!this.endpoints.has(merchantId) && this.endpoints.size >= this.maxMerchants) throw new RangeError(`at most ${this.maxMerchants} webhook endpoints`);
    this.endpoints.set(merchantId, { url: endpoint.url, secrets: [...endpoint.secrets] });
  }

  delete(merchantId: string): void {
    this.endpoints.delete(merchantId);
  }

  wants(merchantId: string): boolean {
    return this.endpoints.has(merchantId);
  }

  endpointFor(merchantId: string): WebhookEndpoint | null {
    return this.endpoints.get(merchantId) ?? null;
  }
}

/** A delivery that did not get a 2xx. `permanent` (410 Gone) skips the remaining attempts. */
export class WebhookDeliveryError extends Error {
  override name = 'WebhookDeliveryError';
  constructor(
    message: string,
    readonly httpStatus: number | null,
    readonly permanent: boolean,
  ) {
    super(message);
  }
}

export interface DeliverOptions {
  /** The sender's clock, for the signature timestamp. */
  nowMs: number;
  /** The whole request, connect to response headers. */
  timeoutMs: number;
}

/**
 * POSTs the payload, signed, to `endpoint`. Resolves with the HTTP status on a 2xx; rejects with
 * `WebhookDeliveryError` otherwise (redirects are not followed: a merchant fixes its URL instead), or with the
 * network error / timeout. The body is the same on every attempt; the signature timestamp is fresh.
 */
export async function deliverWebhook(effect: WebhookEffect, endpoint: WebhookEndpoint, options: DeliverOptions): Promise<number> {
  const body = JSON.stringify(effect.payload);
  const response = await fetch(endpoint.url, {
    method: 'POST',
    body,
    redirect: 'manual',
    signal: AbortSignal.timeout(options.timeoutMs),
    headers: {
      'content-type': 'application/json',
      'user-agent': 'tuan-webhooks/1',
      [SIGNATURE_HEADER]: signWebhook(body, endpoint.secrets, options.nowMs),
      [WEBHOOK_ID_HEADER]: effect.effectId,
      [WEBHOOK_EVENT_HEADER]: effect.payload.type,
    },
  });
  // The answer's body means nothing to us; discard it so the connection can be reused.
  await response.body?.cancel().catch(() => undefined);
  if (response.status >= 200 && response.status < 300) return response.status;
  throw new WebhookDeliveryError(`webhook ${effect.effectId} to merchant ${effect.merchantId}: HTTP ${response.status}`, response.status, response.status === 410);
}
