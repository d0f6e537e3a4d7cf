// Merchant API keys: `tuan_mk_<keyId>_<secret>`. The prefix makes a leaked key easy to spot in code and logs;
// the key id (public, 16 hex) finds the record; the secret (256 random bits) is stored only as its SHA-256 and
// compared in constant time. A record is `merchantId:keyId:sha256hex`, which is all the server ever holds.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Id } from '../engine/index.ts';

export interface MerchantKeyRecord {
  merchantId: string;
  keyId: string;
  secretSha256: Buffer;
}

const KEY_PATTERN = /^tuan_mk_([0-9a-f]{16})_([0-9a-f]{64})$/;
const RECORD_PATTERN = /^([^:]+):([0-9a-f]{16}):([0-9a-f]{64})$/;

/** Makes a new key. Show `apiKey` to the merchant once; keep only `record`. */
export function generateMerchantKey(merchantId: string): { apiKey: string; record: string } {
  if (!Id.safeParse(merchantId).success) throw new Error(`"${merchantId}" is not a valid merchant id`);
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('hex');
  return { apiKey: `tuan_mk_${keyId}_${secret}`, record: `${merchantId}:${keyId}:${sha256(secret).toString('hex')}` };
}

/** Parses `merchantId:keyId:sha256hex` records, comma-separated (the `MERCHANT_KEYS` variable). */
export function parseMerchantKeyRecords(text: string): MerchantKeyRecord[] {
  return text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const match = RECORD_PATTERN.exec(entry);
      if (!match || !Id.safeParse(match[1]).success) throw new Error('each merchant key record is "merchantId:keyId(16 hex):sha256(64 hex)"');
      return { merchantId: match[1]!, keyId: match[2]!, secretSha256: Buffer.from(match[3]!, 'hex') };
    });
}

export class MerchantKeyring {
  private readonly byKeyId = new Map<string, MerchantKeyRecord>();
  /** Compared against when the key id is unknown, so both paths hash and compare. */
  private readonly decoy = sha256(randomBytes(32).toString('hex'));

  constructor(records: readonly MerchantKeyRecord[]) {
    for (const record of records) {
      if (this.byKeyId.has(record.keyId)) throw new Error(`merchant key id ${record.keyId} appears twice`);
      this.byKeyId.set(record.keyId, record);
    }
  }

  get size(): number {
    return this.byKeyId.size;
  }

  /** The merchant a presented key belongs to, or null. */
  authenticate(presented: string): string | null {
    const match = KEY_PATTERN.exec(presented);
    if (!match) return null;
    const record = this.byKeyId.get(match[1]!);
    const matches = timingSafeEqual(sha256(match[2]!), record?.secretSha256 ?? this.decoy);
    return record && matches ? record.merchantId : null;
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
