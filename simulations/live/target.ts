// The server a live run drives: one started in this process on a free loopback port (the default: nothing to set
// up, and the report can include its engine's state hash), or a running server given by URL with a merchant API
// key. Shopper tokens are minted with the server's token secret when it is known, else asked of the server's
// development endpoint (`POST /dev/shopper-tokens`, which only development servers offer).
import { randomBytes } from 'node:crypto';
import { generateMerchantKey, mintShopperToken, parseMerchantKeyRecords, startGateway, type RunningGateway } from '../../gateway/index.ts';
import type { SimShopper } from '../behaviours/index.ts';
import type { EngineSummary } from '../in-process/driver.ts';

export interface LiveTargetOptions {
  /** A running server (`http://127.0.0.1:8080`); absent: start one here. */
  url?: string;
  /** A merchant API key of that server (`tuan_mk_…`): the run lists its offers as this merchant. */
  merchantKey?: string;
  /** That server's TOKEN_SECRET, to mint shopper tokens here; absent: its development endpoint mints them. */
  tokenSecret?: string;
}

export interface Target {
  label: string;
  httpUrl: string;
  wsUrl: string;
  merchantKey: string;
  /** A token for `shopperId` carrying the shopper's facts (newcomer, exposure limit, priority class, credit score). */
  shopperToken(shopperId: string, facts: SimShopper): Promise<string>;
  /** The engine's final state, when it can be read (this process's server, or a server with DEBUG_STATE on). */
  engineSummary(): Promise<EngineSummary | null>;
  close(): Promise<void>;
}

const TOKEN_TTL_S = 24 * 3_600;

export async function openTarget(options: LiveTargetOptions, connectionsMax: number): Promise<Target> {
  if (options.url) return remoteTarget(options);
  const tokenSecret = randomBytes(32).toString('hex');
  const merchant = generateMerchantKey('sim-merchant');
  const server: RunningGateway = await startGateway({
    // Every simulated shopper connects from this one address: the per-address cap would stop the population.
    config: { host: '127.0.0.1', port: 0, logLevel: 'silent', tokenSecret, devTokens: false, maxConnections: connectionsMax + 16, maxConnectionsPerAddress: 0 },
    merchantKeys: parseMerchantKeyRecords(merchant.record),
  });
  return {
    label: 'in-process server',
    httpUrl: server.httpUrl,
    wsUrl: server.wsUrl,
    merchantKey: merchant.apiKey,
    shopperToken: async (shopperId, facts) => mintShopperToken(tokenSecret, { ...claimsOf(facts), shopperId, ttlS: TOKEN_TTL_S }, Date.now()),
    engineSummary: async () => ({
      stateHash: server.engine.stateHash(),
      invariantViolations: server.engine.checkInvariants(),
      commandsApplied: server.sequencer.appliedSeq,
      eventsEmitted: null,
    }),
    close: () => server.close(),
  };
}

function remoteTarget(options: LiveTargetOptions): Target {
  const base = new URL(options.url!);
  if (!options.merchantKey) throw new Error('a live run against --url needs the merchant API key (--merchant-key or TUAN_MERCHANT_KEY)');
  const httpUrl = `${base.protocol === 'wss:' || base.protocol === 'https:' ? 'https:' : 'http:'}//${base.host}`;
  const wsUrl = `${httpUrl.replace(/^http/, 'ws')}/ws`;
  const secret = options.tokenSecret;
  return {
    label: httpUrl,
    httpUrl,
    wsUrl,
    merchantKey: options.merchantKey,
    async shopperToken(shopperId, facts) {
      if (secret) return mintShopperToken(secret, { ...claimsOf(facts), shopperId, ttlS: TOKEN_TTL_S }, Date.now());
      const response = await fetch(`${httpUrl}/dev/shopper-tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ...claimsOf(facts), shopperId }),
      });
      if (!response.ok) throw new Error(`the server mints no development tokens (${response.status}); pass its token secret (--token-secret or TOKEN_SECRET)`);
      return ((await response.json()) as { token: string }).token;
    },
    async engineSummary() {
      try {
        const response = await fetch(`${httpUrl}/debug/state`);
        if (!response.ok) return null;
        const body = (await response.json()) as { stateHash?: string; invariantViolations?: string[]; appliedSeq?: number };
        if (typeof body.stateHash !== 'string') return null;
        return { stateHash: body.stateHash, invariantViolations: body.invariantViolations ?? [], commandsApplied: body.appliedSeq ?? 0, eventsEmitted: null };
      } catch {
        return null;
      }
    },
    close: async () => {},
  };
}

/** The token claims for a simulated shopper's facts (absent facts stay absent: no limit, class 0, no score). */
function claimsOf(facts: SimShopper): { newcomer: boolean; exposureLimitMinor?: number; priorityClass?: number; creditScore?: number } {
  return {
    newcomer: facts.newcomer,
    ...(facts.exposureLimitMinor !== undefined ? { exposureLimitMinor: facts.exposureLimitMinor } : {}),
    ...(facts.priorityClass !== undefined ? { priorityClass: facts.priorityClass } : {}),
    ...(facts.creditScore !== undefined ? { creditScore: facts.creditScore } : {}),
  };
}
