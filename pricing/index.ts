// Public surface of pricing/: rule sets (schemas and validation), the pricing context, evaluation with its
// explanation, previews, and the group-price helpers the engine uses today.
export * from './group-price.ts';
export * from './rule-set.ts';
export * from './context.ts';
export { evaluate, evaluatePrice, evaluateWithState, roundPrice, type Evaluation, type EvaluateOptions, type ExplanationLine, type Reprice } from './evaluate.ts';
export { advanceSurge, decayPpm, eventWeightMilli } from './surge.ts';
export { PRICE_MINOR_MAX, BPS_ONE } from './integer-math.ts';
export { previewContext, previewTimeline, joinRateTimeline, runPreviewRequest, JoinRateScenario, PreviewRequest, PREVIEW_LIMITS } from './preview.ts';
export type { Preview, PreviewPoint, PreviewAnswer, TimelineOptions } from './preview.ts';
export { ruleSetFromGroupPricing } from './from-group-pricing.ts';
export { decidePublish, type PublishedPrice, type PublishDecision } from './publish-throttle.ts';
