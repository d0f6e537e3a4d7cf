// Public surface of the gateway (the transport): start one, and the pieces a client or a benchmark builds on.
export { startGateway, type RunningGateway, type GatewayOptions, type DurableStores, type RouteRegistrar } from './server.ts';
export { DEFAULT_CONFIG, loadConfigFromEnv, resolveConfig, ConfigError, type GatewayConfig, type RateLimit } from './config.ts';
export { DEFAULT_TOKEN_POLICY, mintShopperToken, verifyShopperToken, type ShopperClaims, type TokenPolicy } from './shopper-tokens.ts';
export { generateMerchantKey, parseMerchantKeyRecords, MerchantKeyring, type MerchantKeyRecord } from './merchant-keys.ts';
export { CLOSE_CODES, GATEWAY_ERROR_CODES, PROTOCOL_VERSION, ClientMessage, type ErrorCode, type ServerMessage } from './protocol.ts';
export { offerChannel, groupChannel, shopperChannel, parseChannel } from './channel-names.ts';
export { createLogger } from './logger.ts';
