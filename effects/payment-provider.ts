// The payment provider seam: charges, refunds, orders, deposit holds and releases, each carrying an idempotency
// key. A real provider (an acquirer, a wallet, an order system) plugs in behind `PaymentProvider`; the simulated
// one (simulated-payment-provider.ts) records every call and can be told to fail or time out, which is what the
// effects tests and the benchmark run against.
import type { DepositReleaseReason, MoneySubject, RefundReason } from './effect-spec.ts';

export interface CallOptions {
  /** Aborted when the worker gives up on the call (its timeout, or shutdown). */
  signal: AbortSignal;
}

interface RequestBase {
  /** The effect id. A provider applies each key at most once and answers a repeat with the first result. */
  idempotencyKey: string;
  /** Ties the calls of one payment together: a charge, its refunds and order; a deposit hold and its release. */
  paymentRef: string;
  merchantId: string;
  shopperId: string;
  currency: string;
}

export interface ChargeRequest extends RequestBase {
  amountMinor: number;
}

export interface RefundRequest extends RequestBase {
  amountMinor: number;
  reason: RefundReason;
}

export interface OrderRequest extends RequestBase {
  offerId: string;
  /** What was sold: a group seat or an auction win (`MoneySubject`). */
  subject: MoneySubject;
  qty: number;
  unitPriceMinor: number;
  totalMinor: number;
  /**
   * What to charge with the order: 0 when its payment was charged before (a group seat, at join), `totalMinor`
   * when the order is the payment (an auction win).
   */
  chargeMinor: number;
}

/** Authorise (hold, not capture) a deposit on the shopper's payment method. */
export interface DepositHoldRequest extends RequestBase {
  amountMinor: number;
}

/** Give back a deposit held on the same `paymentRef` (void the authorisation, or the part of it named). */
export interface DepositReleaseRequest extends RequestBase {
  amountMinor: number;
  reason: DepositReleaseReason;
}

export interface ProviderReceipt {
  /** The provider's id for what it created (a payment, a refund, an order, a hold, a release). */
  providerId: string;
  idempotencyKey: string;
  /** True when the key had been applied before and this is the first result again. */
  replayed: boolean;
}

/**
 * Contract every adapter keeps:
 * - Idempotency: a request whose key was applied before returns the first receipt (`replayed: true`) and
 *   changes nothing, for as long as the provider remembers keys (document that window per adapter; the
 *   simulated provider remembers its last `maxKeys`). The same key with other parameters is refused with
 *   `PaymentRejectedError('idempotency_key_reused')`.
 * - Errors: `PaymentRejectedError` means retrying cannot help (a decline, a key reused); the worker does not
 *   retry it and dead-letters the effect. Any other rejection is transient and is retried with backoff — and it
 *   may hide an applied call (a timeout), which is exactly what the idempotency key is for.
 * - Order: calls of one `paymentRef` may arrive in any order (a refund before its charge, a release before its
 *   hold, when the first is being retried). An adapter answers "unknown payment / hold" as transient, so the
 *   later call is retried until the earlier one lands.
 * - Cancellation: when `signal` aborts, the call should reject promptly; the effect may or may not have applied.
 */
export interface PaymentProvider {
  charge(request: ChargeRequest, options: CallOptions): Promise<ProviderReceipt>;
  refund(request: RefundRequest, options: CallOptions): Promise<ProviderReceipt>;
  createOrder(request: OrderRequest, options: CallOptions): Promise<ProviderReceipt>;
  holdDeposit(request: DepositHoldRequest, options: CallOptions): Promise<ProviderReceipt>;
  releaseDeposit(request: DepositReleaseRequest, options: CallOptions): Promise<ProviderReceipt>;
}

export type ProviderOperation = keyof PaymentProvider;

/** A permanent refusal: retrying cannot change the answer. */
export class PaymentRejectedError extends Error {
  override name = 'PaymentRejectedError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A transient failure (the provider is down or busy): the worker retries with backoff. */
export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
}
