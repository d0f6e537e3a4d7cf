// An in-memory payment provider for tests and benchmarks: records every call, applies each idempotency key once,
// keeps a ledger per payment reference, and takes faults (fail, time out after applying, hang, decline) so the
// effects path can be shown to apply every effect once under retries, crashes and replays.
import { EventEmitter } from 'node:events';
import { unreachable } from './effect-spec.ts';
import {
  PaymentRejectedError,
  ProviderUnavailableError,
  type CallOptions,
  type ChargeRequest,
  type DepositHoldRequest,
  type DepositReleaseRequest,
  type OrderRequest,
  type PaymentProvider,
  type ProviderOperation,
  type ProviderReceipt,
  type RefundRequest,
} from './payment-provider.ts';

type AnyRequest = ChargeRequest | RefundRequest | OrderRequest | DepositHoldRequest | DepositReleaseRequest;

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
  /** The amount the call is about: a charge, refund, hold or release amount; an order's total. */
  amountMinor: number;
  outcome: 'applied' | 'replayed' | ProviderFault | 'conflict' | 'refund_exceeds_charge' | 'release_exceeds_hold';
}

export interface AppliedEffect {
  operation: ProviderOperation;
  request: AnyRequest;
  receipt: ProviderReceipt;
}

/** Money moved on one payment reference, each idempotency key counted once. */
export interface PaymentBalance {
  /** Charges, plus what orders charged with them (`chargeMinor`: auction wins). */
  chargedMinor: number;
  refundedMinor: number;
  /** Order totals. */
  orderedMinor: number;
  depositHeldMinor: number;
  depositReleasedMinor: number;
}

const EMPTY_BALANCE: PaymentBalance = { chargedMinor: 0, refundedMinor: 0, orderedMinor: 0, depositHeldMinor: 0, depositReleasedMinor: 0 };

export interface SimulatedProviderOptions {
  /** Idempotency keys remembered (oldest forgotten first), like a real provider's key retention. Default 1 000 000. */
  maxKeys?: number;
  /** Calls kept in `calls` (oldest dropped first). Default 100 000. */
  maxCalls?: number;
  /**
   * Refuse (transiently) a refund that exceeds what was charged and not yet refunded on its payment reference, and
   * a deposit release that exceeds what is held and not yet released, as a real provider refuses a refund of an
   * unknown payment or the void of an unknown hold: the worker retries until the charge or the hold lands.
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

  holdDeposit(request: DepositHoldRequest, options: CallOptions): Promise<ProviderReceipt> {
    return this.call('holdDeposit', request, request.amountMinor, options);
  }

  releaseDeposit(request: DepositReleaseRequest, options: CallOptions): Promise<ProviderReceipt> {
    return this.call('releaseDeposit', request, request.amountMinor, options);
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
    return { ...(this.balances.get(paymentRef) ?? EMPTY_BALANCE) };
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

    const balance = { ...(this.balances.get(request.paymentRef) ?? EMPTY_BALANCE) };
    if (this.strictRefunds && operation === 'refund' && balance.refundedMinor + amountMinor > balance.chargedMinor) {
      record('refund_exceeds_charge');
      throw new ProviderUnavailableError(`refund ${key} exceeds what is left of the payment ${request.paymentRef}; the charge may not have landed yet`);
    }
    if (this.strictRefunds && operation === 'releaseDeposit' && balance.depositReleasedMinor + amountMinor > balance.depositHeldMinor) {
      record('release_exceeds_hold');
      throw new ProviderUnavailableError(`deposit release ${key} exceeds what is held on ${request.paymentRef}; the hold may not have landed yet`);
    }
    applyToBalance(balance, operation, request, amountMinor);
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

function applyToBalance(balance: PaymentBalance, operation: ProviderOperation, request: AnyRequest, amountMinor: number): void {
  switch (operation) {
    case 'charge':
      balance.chargedMinor += amountMinor;
      return;
    case 'refund':
      balance.refundedMinor += amountMinor;
      return;
    case 'createOrder':
      balance.orderedMinor += amountMinor;
      balance.chargedMinor += (request as OrderRequest).chargeMinor;
      return;
    case 'holdDeposit':
      balance.depositHeldMinor += amountMinor;
      return;
    case 'releaseDeposit':
      balance.depositReleasedMinor += amountMinor;
      return;
    default:
      return unreachable(operation);
  }
}

function waitForAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
