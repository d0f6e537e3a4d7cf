// Public surface of the gateway: start a server, and the pieces a client, a benchmark or persistence builds on.
export { startServer, type RunningServer, type ServerOptions, type DurableStores } from './server.ts';
export { DEFAULT_CONFIG, loadConfigFromEnv, resolveConfig, ConfigError, type GatewayConfig, type RateLimit } from './config.ts';
export { InMemoryJournal, type Journal, type JournalEntry } from './journal.ts';
export { Sequencer, type Outcome, type UnstampedCommand, type SequencerState } from './sequencer.ts';
export { Checkpointer } from './checkpointer.ts';
export { mintShopperToken, verifyShopperToken, type ShopperClaims } from './shopper-tokens.ts';
export { generateMerchantKey, parseMerchantKeyRecords, MerchantKeyring, type MerchantKeyRecord } from './merchant-keys.ts';
export { CLOSE_CODES, GATEWAY_ERROR_CODES, PROTOCOL_VERSION, ClientMessage, type ErrorCode, type ServerMessage } from './protocol.ts';
export { offerChannel, groupChannel, shopperChannel, parseChannel } from './channel-names.ts';
