// Development and operations CLI for credentials.
//   npx tsx gateway/mint-token.ts shopper <shopperId> [--newcomer] [--ttl-s 3600]
//       [--exposure-limit-minor N] [--priority-class 0..7] [--credit-score 0..1000] [--member-tier NAME]
//       (signs with $TOKEN_SECRET)
//   npx tsx gateway/mint-token.ts merchant-key <merchantId>                        (prints the key and its record)
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { Id, Money } from '../engine/index.ts';
import { generateMerchantKey } from './merchant-keys.ts';
import { CreditScoreClaim, DEFAULT_TOKEN_POLICY, MemberTierClaim, mintShopperToken, PriorityClassClaim } from './shopper-tokens.ts';

const USAGE = `usage:
  npx tsx gateway/mint-token.ts shopper <shopperId> [--newcomer] [--ttl-s SECONDS]
      [--exposure-limit-minor MINOR] [--priority-class 0..7] [--credit-score 0..1000] [--member-tier NAME]
      needs TOKEN_SECRET
  npx tsx gateway/mint-token.ts merchant-key <merchantId>`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      newcomer: { type: 'boolean', default: false },
      'ttl-s': { type: 'string', default: '3600' },
      'exposure-limit-minor': { type: 'string' },
      'priority-class': { type: 'string' },
      'credit-score': { type: 'string' },
      'member-tier': { type: 'string' },
    },
  });
} catch (error) {
  fail((error as Error).message);
}
const { positionals, values } = parsed;
const [command, subject] = positionals;
if (subject === undefined || !Id.safeParse(subject).success) fail('give a valid id (letters, digits, _ . : -)');

/** An optional whole-number claim, checked against the same bounds the server verifies tokens with. */
function optionalClaim(flag: string, text: string | undefined, schema: z.ZodType<number>): number | undefined {
  if (text === undefined) return undefined;
  const value = schema.safeParse(Number(text));
  if (!value.success || text.trim() === '') fail(`--${flag} is out of range or not a whole number: "${text}"`);
  return value.data;
}

/** An optional name claim (the member tier), checked against the bounds the server verifies tokens with. */
function optionalName(flag: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const value = MemberTierClaim.safeParse(text);
  if (!value.success) fail(`--${flag} must be 1–40 letters, digits or _ . : -: "${text}"`);
  return value.data;
}

if (command === 'shopper') {
  const secret = process.env.TOKEN_SECRET;
  if (!secret || secret.length < 32) fail('TOKEN_SECRET must be set (at least 32 characters), the same as the server');
  const ttlS = Number(values['ttl-s']);
  // The server refuses tokens living longer than its TOKEN_MAX_LIFETIME_S; read the same variable so both agree.
  const maxLifetimeS = process.env.TOKEN_MAX_LIFETIME_S === undefined ? DEFAULT_TOKEN_POLICY.maxLifetimeS : Number(process.env.TOKEN_MAX_LIFETIME_S);
  if (!Number.isInteger(ttlS) || ttlS < 1 || ttlS > maxLifetimeS) fail(`--ttl-s must be a whole number of seconds, at most ${maxLifetimeS} (TOKEN_MAX_LIFETIME_S)`);
  const claims = {
    shopperId: subject,
    newcomer: values.newcomer,
    ttlS,
    exposureLimitMinor: optionalClaim('exposure-limit-minor', values['exposure-limit-minor'], Money),
    priorityClass: optionalClaim('priority-class', values['priority-class'], PriorityClassClaim),
    creditScore: optionalClaim('credit-score', values['credit-score'], CreditScoreClaim),
    memberTier: optionalName('member-tier', values['member-tier']),
  };
  process.stdout.write(`${mintShopperToken(secret, claims, Date.now())}\n`);
} else if (command === 'merchant-key') {
  const { apiKey, record } = generateMerchantKey(subject);
  process.stdout.write(`API key (give it to the merchant; it is not stored): ${apiKey}\nMERCHANT_KEYS record (keep on the server): ${record}\n`);
} else {
  fail(`unknown command "${command ?? ''}"`);
}
