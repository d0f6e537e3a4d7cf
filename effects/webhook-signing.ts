// Webhook signatures. Each delivery carries
//
//   Tuan-Signature: t=<unix ms>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
//
// One v1 per active secret (two while a merchant rotates its secret), so a receiver checks against its own
// secret(s) and accepts if any v1 matches. The timestamp is signed with the body and re-stamped on every
// attempt, so a receiver can refuse old deliveries (replays of a captured request) with a tolerance window and
// still accept a late retry. Receivers must verify the raw body bytes, before any JSON parsing.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'tuan-signature';
export const WEBHOOK_ID_HEADER = 'tuan-webhook-id';
export const WEBHOOK_EVENT_HEADER = 'tuan-event-type';
/** Five minutes: long enough for clock skew between hosts, short enough to make a captured request useless soon. */
export const DEFAULT_TOLERANCE_MS = 5 * 60_000;

export function signatureOf(secret: string, timestampMs: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestampMs}.`).update(body).digest('hex');
}

/** The Tuan-Signature header value for `body` at `timestampMs`, with one v1 per secret. */
export function signWebhook(body: string, secrets: string | readonly string[], timestampMs: number): string {
  const list = typeof secrets === 'string' ? [secrets] : secrets;
  if (list.length === 0) throw new RangeError('signing a webhook needs at least one secret');
  return [`t=${timestampMs}`, ...list.map((secret) => `v1=${signatureOf(secret, timestampMs, body)}`)].join(',');
}

export type VerifyResult =
  | { ok: true; timestampMs: number }
  | { ok: false; reason: 'missing_header' | 'malformed_header' | 'timestamp_out_of_tolerance' | 'signature_mismatch' };

export interface VerifyOptions {
  /** The receiver's clock. */
  nowMs: number;
  /** Deliveries signed further than this from `nowMs` (either way) are refused. Default 5 minutes. */
  toleranceMs?: number;
}

/**
 * Checks a delivery: `header` is the Tuan-Signature value, `rawBody` the exact bytes received, `secrets` the
 * receiver's secret(s). Constant-time comparison; the timestamp must be within the tolerance.
 */
export function verifyWebhook(header: string | undefined | null, rawBody: string | Buffer, secrets: string | readonly string[], options: VerifyOptions): VerifyResult {
  if (header === undefined || header === null || header === '') return { ok: false, reason: 'missing_header' };
  let timestampMs: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const at = part.indexOf('=');
    if (at < 0) return { ok: false, reason: 'malformed_header' };
    const name = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (name === 't') {
      if (!/^\d{1,16}$/.test(value)) return { ok: false, reason: 'malformed_header' };
      timestampMs = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return { ok: false, reason: 'malformed_header' };
      signatures.push(value);
    }
    // Other schemes (a future v2) are ignored, so senders can add one before receivers know it.
  }
  if (timestampMs === null || signatures.length === 0 || signatures.length > 8) return { ok: false, reason: 'malformed_header' };
  if (Math.abs(options.nowMs - timestampMs) > (options.toleranceMs ?? DEFAULT_TOLERANCE_MS)) return { ok: false, reason: 'timestamp_out_of_tolerance' };
  for (const secret of typeof secrets === 'string' ? [secrets] : secrets) {
    const expected = Buffer.from(signatureOf(secret, timestampMs, rawBody), 'hex');
    for (const signature of signatures) {
      if (timingSafeEqual(expected, Buffer.from(signature, 'hex'))) return { ok: true, timestampMs };
    }
  }
  return { ok: false, reason: 'signature_mismatch' };
}
