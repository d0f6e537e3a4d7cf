// The payment provider seam: charges, refunds and orders, each carrying an idempotency key. A real provider
// (an acquirer, a wallet, an order system) plugs in behind `PaymentProvider`; the simulated one records every
// call and can be told to fail or time out, which is what the effects tests and the benchmark run against.
import { EventEmitter } from 'node:events';

export interface CallOptions {
  /** Aborted when the worker gives up on the call (its timeout, or shutdown). */
  signal: AbortSignal;
}

interface RequestBase {
  /** The effect id. A provider applies each key at most once and answers a repeat with the first result. */
  idempotencyKey: string;
  /** Ties a shopper's charge in one group to its refunds and order (see `MoneyEffectBase.paymentRef`). */
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
  reason: 'left' | 'settled' | 'failed';
}

export interface OrderRequest extends RequestBase {
  offerId: string;
  groupId: string;
  qty: number;
  unitPriceMinor: number;
  totalMinor: number;
}

export interface ProviderReceipt {
  /** The provider's id for what it created (a payment, a refund, an order). */
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
 * - Cancellation: when `signal` aborts, the call should reject promptly; the effect may or may not have applied.
 */
export interface PaymentProvider {
  charge(request: ChargeRequest, options: CallOptions): Promise<ProviderReceipt>;
  refund(request: RefundRequest, options: CallOptions): Promise<ProviderReceipt>;
  createOrder(request: OrderRequest, options: CallOptions): Promise<ProviderReceipt>;
}

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

export type ProviderOperation = 'charge' | 'refund' | 'createOrder';
type AnyRequest = ChargeRequest | RefundRequest | OrderRequest;

/**
 * What to do to a call instead of answering it normally:
 * - `fail`: refuse before applying anything (like a 503); transient.
 * - `timeout`: apply the effect, then never answer; the call rejects only when its signal aborts (in doubt).
 * - `hang`: apply nothing and never answer until the signal aborts.
 * - `reject`: refuse permanently (`PaymentRejectedError('declined')`) without applying.
 */
export type ProviderFault = 'fail' | 'timeout' | 'hang' | 'reject';

export interface ProviderCall {
  operation: ProviderOperation;
  idempotencyKey: string;
  paymentRef: string;
  amountMinor: number;
  outcome: 'applied' | 'replayed' | ProviderFault | 'conflict' | 'refund_exceeds_charge';
}

export interface AppliedEffect {
  operation: ProviderOperation;
  request: AnyRequest;
  receipt: ProviderReceipt;
}

export interface PaymentBalance {
  chargedMinor: number;
  refundedMinor: number;
  orderedMinor: number;
}

export interface SimulatedProviderOptions {
  /** Idempotency keys remembered (oldest forgotten first), like a real provider's key retention. Default 1 000 000. */
  maxKeys?: number;
  /** Calls kept in `calls` (oldest dropped first). Default 100 000. */
  maxCalls?: number;
  /**
   * Refuse (transiently) a refund that exceeds what was charged and not yet refunded on its payment reference,
   * as a real provider refuses a refund of an unknown payment: the worker retries until the charge lands.
   */
  strictRefunds?: boolean;
}

interface FaultRule {
  fault: ProviderFault;
  remaining: number;
  operation: ProviderOperation | null;
}

/** An in-memory provider for tests and benchmarks. Every call is recorded; every key applies once. */
export class SimulatedPaymentProvider implements PaymentProvider {
  /** The calls in order (bounded by `maxCalls`). */
  readonly calls: ProviderCall[] = [];
  /** Emits 'call' with each ProviderCall once recorded. */
  readonly events = new EventEmitter();
  private readonly applied = new Map<string, AppliedEffect>();
  private readonly balances = new Map<string, PaymentBalance>();
  private readonly nextFaults: FaultRule[] = [];
  private readonly keyFaults = new Map<string, FaultRule>();
  private readonly maxKeys: number;
  private readonly maxCalls: number;
  private readonly strictRefunds: boolean;
  private sequence = 0;

  constructor(options: SimulatedProviderOptions = {}) {
    this.maxKeys = options.maxKeys ?? 1_000_000;
    this.maxCalls = options.maxCalls ?? 100_000;
    this.strictRefunds = options.strictRefunds ?? false;
    this.events.setMaxListeners(100);
  }

  charge(request: ChargeRequest, options: CallOptions): Promise<ProviderReceipt> {
    return this.call('charge', request, request.amountMinor, options);
  }

  refund(request: RefundRequest, options: CallOptions): Promise<ProviderReceipt> {
    return this.call('refund', request, request.amountMinor, options);
  }

  createOrder(request: OrderRequest, options: CallOptions): Promise<ProviderReceipt> {
    return this.call('createOrder', request, request.totalMinor, options);
  }

  /** The next `count` calls (of `operation`, or any) get `fault`. Rules queue up in the order given. */
  faultNext(count: number, fault: ProviderFault, operation: ProviderOperation | null = null): void {
    this.nextFaults.push({ fault, remaining: count, operation });
  }

  /** The next `times` calls with this idempotency key get `fault`. */
  faultKey(idempotencyKey: string, fault: ProviderFault, times = 1): void {
    this.keyFaults.set(idempotencyKey, { fault, remaining: times, operation: null });
  }

  /** Effects applied, by idempotency key (at most `maxKeys`). */
  appliedEffects(): AppliedEffect[] {
    return [...this.applied.values()];
  }

  appliedCount(operation?: ProviderOperation): number {
    if (operation === undefined) return this.applied.size;
    let count = 0;
    for (const effect of this.applied.values()) if (effect.operation === operation) count++;
    return count;
  }

  callsFor(idempotencyKey: string): ProviderCall[] {
    return this.calls.filter((call) => call.idempotencyKey === idempotencyKey);
  }

  /** Money moved on one payment reference, counting each idempotency key once. */
  balance(paymentRef: string): PaymentBalance {
    return { ...(this.balances.get(paymentRef) ?? { chargedMinor: 0, refundedMinor: 0, orderedMinor: 0 }) };
  }

  /** Resolves once `condition()` holds (checked after every call); rejects after `timeoutMs`. */
  waitFor(condition: () => boolean, timeoutMs: number, what = 'a provider condition'): Promise<void> {
    if (condition()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const onCall = () => {
        if (!condition()) return;
        cleanup();
        resolve();
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what} (${this.applied.size} effects applied, ${this.calls.length} calls)`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.events.off('call', onCall);
      };
      this.events.on('call', onCall);
    });
  }

  private async call(operation: ProviderOperation, request: AnyRequest, amountMinor: number, options: CallOptions): Promise<ProviderReceipt> {
    // A real provider answers over the network: never synchronously.
    await Promise.resolve();
    const key = request.idempotencyKey;
    const fault = this.takeFault(operation, key);
    const record = (outcome: ProviderCall['outcome']) => {
      const call: ProviderCall = { operation, idempotencyKey: key, paymentRef: request.paymentRef, amountMinor, outcome };
      this.calls.push(call);
      if (this.calls.length > this.maxCalls) this.calls.splice(0, Math.ceil(this.maxCalls / 10));
      this.events.emit('call', call);
    };

    if (fault === 'fail') {
      record('fail');
      throw new ProviderUnavailableError(`simulated provider unavailable (${operation} ${key})`);
    }
    if (fault === 'reject') {
      record('reject');
      throw new PaymentRejectedError('declined', `simulated decline (${operation} ${key})`);
    }
    if (fault === 'hang') {
      record('hang');
      return waitForAbort(options.signal);
    }

    const previous = this.applied.get(key);
    if (previous !== undefined) {
      if (previous.operation !== operation || JSON.stringify(previous.request) !== JSON.stringify(request)) {
        record('conflict');
        throw new PaymentRejectedError('idempotency_key_reused', `idempotency key ${key} was used for another request`);
      }
      record(fault === 'timeout' ? 'timeout' : 'replayed');
      if (fault === 'timeout') return waitForAbort(options.signal);
      return { ...previous.receipt, replayed: true };
    }

    const balance = this.balances.get(request.paymentRef) ?? { chargedMinor: 0, refundedMinor: 0, orderedMinor: 0 };
    if (operation === 'refund' && this.strictRefunds && balance.refundedMinor + amountMinor > balance.chargedMinor) {
      record('refund_exceeds_charge');
      throw new ProviderUnavailableError(`refund ${key} exceeds what is left of the payment ${request.paymentRef}; the charge may not have landed yet`);
    }
    if (operation === 'charge') balance.chargedMinor += amountMinor;
    else if (operation === 'refund') balance.refundedMinor += amountMinor;
    else balance.orderedMinor += amountMinor;
    this.remember(this.balances, request.paymentRef, balance);
    const receipt: ProviderReceipt = { providerId: `sim_${operation}_${++this.sequence}`, idempotencyKey: key, replayed: false };
    this.remember(this.applied, key, { operation, request: structuredClone(request), receipt });
    record(fault === 'timeout' ? 'timeout' : 'applied');
    if (fault === 'timeout') return waitForAbort(options.signal);
    return { ...receipt };
  }

  private takeFault(operation: ProviderOperation, key: string): ProviderFault | null {
    const byKey = this.keyFaults.get(key);
    if (byKey !== undefined) {
      if (--byKey.remaining <= 0) this.keyFaults.delete(key);
      return byKey.fault;
    }
    const index = this.nextFaults.findIndex((rule) => rule.operation === null || rule.operation === operation);
    if (index < 0) return null;
    const rule = this.nextFaults[index]!;
    if (--rule.remaining <= 0) this.nextFaults.splice(index, 1);
    return rule.fault;
  }

  private remember<V>(map: Map<string, V>, key: string, value: V): void {
    map.delete(key);
    map.set(key, value);
    if (map.size > this.maxKeys) map.delete(map.keys().next().value!);
  }
}

function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
