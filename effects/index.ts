// Public surface of effects: the outbox the gateway feeds, the queues and workers that carry effects out, the
// payment provider seam and its simulation, webhook signing and delivery, and dead letters. See docs/effects.md.
export { EffectOutbox, OutboxClosedError, OutboxFailedError, OutboxFlushTimeoutError, type OutboxOptions, type OutboxStats } from './outbox.ts';
export { deriveEffects, type DeriveContext } from './derive.ts';
export {
  effectKey,
  queueOf,
  NAMESPACE_PATTERN,
  type EffectSpec,
  type EffectKind,
  type EffectQueueName,
  type PaymentEffect,
  type ChargeEffect,
  type RefundEffect,
  type OrderEffect,
  type DepositHoldEffect,
  type DepositReleaseEffect,
  type DepositReleaseReason,
  type RefundReason,
  type MoneySubject,
  type WebhookEffect,
  type WebhookPayload,
  type WebhookEventType,
} from './effect-spec.ts';
export {
  EffectQueues,
  DEFAULT_EFFECT_QUEUE_SETTINGS,
  PRODUCER_REDIS_OPTIONS,
  WORKER_REDIS_OPTIONS,
  jobOptionsFor,
  type EffectSink,
  type EffectQueueSettings,
  type EffectQueuesOptions,
  type RetryPolicy,
} from './queues.ts';
export { EffectWorkers, type EffectWorkersOptions, type PaymentResult, type WebhookResult } from './workers.ts';
export {
  PaymentRejectedError,
  ProviderUnavailableError,
  type PaymentProvider,
  type ChargeRequest,
  type RefundRequest,
  type OrderRequest,
  type DepositHoldRequest,
  type DepositReleaseRequest,
  type ProviderReceipt,
  type CallOptions,
  type ProviderOperation,
} from './payment-provider.ts';
export {
  SimulatedPaymentProvider,
  type ProviderFault,
  type ProviderCall,
  type PaymentBalance,
  type SimulatedProviderOptions,
  type AppliedEffect,
} from './simulated-payment-provider.ts';
export {
  signWebhook,
  verifyWebhook,
  signatureOf,
  SIGNATURE_HEADER,
  WEBHOOK_ID_HEADER,
  WEBHOOK_EVENT_HEADER,
  DEFAULT_TOLERANCE_MS,
  type VerifyResult,
  type VerifyOptions,
} from './webhook-signing.ts';
export { deliverWebhook, InMemoryWebhookEndpoints, WebhookDeliveryError, type WebhookEndpoint, type WebhookEndpoints, type DeliverOptions } from './webhooks.ts';
export { DeadLetterStore, DeadLetterAdmin, deadLetterOwner, merchantOwner, type DeadLetter } from './dead-letters.ts';
