// Public surface of the console: the web console's routes (pages, bundle, simulation runner) for a gateway.
export { registerWebConsole, consoleAssets } from './web-console.ts';
