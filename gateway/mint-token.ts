// Development and operations CLI for credentials.
//   npx tsx gateway/mint-token.ts shopper <shopperId> [--newcomer] [--ttl-s 3600]   (signs with $TOKEN_SECRET)
//   npx tsx gateway/mint-token.ts merchant-key <merchantId>                        (prints the key and its record)
import { parseArgs } from 'node:util';
import { Id } from '../engine/index.ts';
import { generateMerchantKey } from './merchant-keys.ts';
import { mintShopperToken } from './shopper-tokens.ts';

const USAGE = `usage:
  npx tsx gateway/mint-token.ts shopper <shopperId> [--newcomer] [--ttl-s SECONDS]   needs TOKEN_SECRET
  npx tsx gateway/mint-token.ts merchant-key <merchantId>`;

function fail(message: string): never {
  process.stderr.write(`${message}\n${USAGE}\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { newcomer: { type: 'boolean', default: false }, 'ttl-s': { type: 'string', default: '3600' } },
});
const [command, subject] = positionals;
if (subject === undefined || !Id.safeParse(subject).success) fail('give a valid id (letters, digits, _ . : -)');

if (command === 'shopper') {
  const secret = process.env.TOKEN_SECRET;
  if (!secret || secret.length < 32) fail('TOKEN_SECRET must be set (at least 32 characters), the same as the server');
  const ttlS = Number(values['ttl-s']);
  if (!Number.isInteger(ttlS) || ttlS < 1 || ttlS > 30 * 24 * 3600) fail('--ttl-s must be a whole number of seconds, at most 30 days');
  process.stdout.write(`${mintShopperToken(secret, { shopperId: subject, newcomer: values.newcomer, ttlS }, Date.now())}\n`);
} else if (command === 'merchant-key') {
  const { apiKey, record } = generateMerchantKey(subject);
  process.stdout.write(`API key (give it to the merchant; it is not stored): ${apiKey}\nMERCHANT_KEYS record (keep on the server): ${record}\n`);
} else {
  fail(`unknown command "${command ?? ''}"`);
}
