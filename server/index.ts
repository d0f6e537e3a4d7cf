// Public surface of the composition root: the server with its console, and the durable start-up `npm start` uses.
export { startServer, type ServerOptions, type RunningServer } from './start.ts';
export { bootServer, type BootOptions, type BootedServer } from './boot.ts';
export { DEMO_MERCHANT_ID, DEMO_OFFER_ID, demoMerchantKey, seedDemoOffers } from './dev-seed.ts';
