// How entries and snapshots are turned into bytes and checked on the way back. Both stores use the same
// checksum (CRC-32, zlib's) so a damaged or hand-edited entry is caught the same way everywhere.
import { crc32 } from 'node:zlib';
import { JOURNAL_FORMAT_VERSION, JournalCorruptError, type JournalEntry, type StoredEntry } from './journal.ts';

/** CRC-32 of a string's UTF-8 bytes as 8 lowercase hex digits. Detects damage, not tampering. */
export function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

/**
 * One file-journal line: `<crc32 of json> <json>\n`, where json is `{"seq":N,"v":2,"command":{...}}`. The seq and
 * the format version are inside the checksummed text, so an entry cannot be moved to another position, or read
 * as another version, without detection. Lines written before versions (`{"seq":N,"command":…}`) are read too.
 */
export function encodeFileLine(entry: JournalEntry): string {
  const json = JSON.stringify({ seq: entry.seq, v: JOURNAL_FORMAT_VERSION, command: entry.command });
  return `${checksum(json)} ${json}\n`;
}

/**
 * Decodes one line (without its newline) straight from the bytes read, so the checksum runs over the bytes
 * without first making a string of them. `where` names the place in error messages (file and line).
 * `expectedSeq`, when the caller knows which seq the line must hold (the one after the line before it), names a
 * damaged line in the error: a flipped byte may sit in the seq itself, so the damaged text cannot be trusted to.
 */
export function decodeFileLineBytes(bytes: Buffer, where: string, expectedSeq?: number): StoredEntry {
  const damaged = (json: string, what: string): JournalCorruptError => {
    const seq = expectedSeq ?? seqFromJson(json);
    return new JournalCorruptError(`journal entry ${seq === null ? '' : `seq ${seq} `}at ${where} ${what}`, seq, where);
  };
  if (bytes.length < 10 || bytes[8] !== 0x20) throw damaged(bytes.toString('utf8', 9), 'has no checksum prefix');
  const stored = bytes.toString('latin1', 0, 8);
  const actual = crc32(bytes.subarray(9)).toString(16).padStart(8, '0');
  const json = bytes.toString('utf8', 9);
  if (stored !== actual) throw damaged(json, `fails its checksum (stored ${stored}, computed ${actual})`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw damaged(json, `is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || !('seq' in parsed) || !('command' in parsed) || !Number.isSafeInteger(parsed.seq)) {
    throw damaged(json, 'lacks an integer "seq" and a "command"');
  }
  return { seq: parsed.seq as number, command: parsed.command, version: 'v' in parsed ? parsed.v : undefined };
}

/**
 * The Redis form of an entry: the command's JSON, its format version and a checksum binding both to its seq
 * (`"<seq>\nv<version>\n<c>"`; entries written before versions have no `v` field and a checksum of `"<seq>\n<c>"`).
 */
export function encodeRedisFields(entry: JournalEntry): { payload: string; version: string; crc: string } {
  const payload = JSON.stringify(entry.command);
  const version = String(JOURNAL_FORMAT_VERSION);
  return { payload, version, crc: checksum(`${entry.seq}\nv${version}\n${payload}`) };
}

export function decodeRedisFields(seq: number, payload: string | undefined, crc: string | undefined, where: string, version?: string): StoredEntry {
  if (payload === undefined || crc === undefined) {
    throw new JournalCorruptError(`journal entry seq ${seq} at ${where} lacks its "c" or "k" field`, seq, where);
  }
  const actual = checksum(version === undefined ? `${seq}\n${payload}` : `${seq}\nv${version}\n${payload}`);
  if (crc !== actual) {
    throw new JournalCorruptError(`journal entry seq ${seq} at ${where} fails its checksum (stored ${crc}, computed ${actual})`, seq, where);
  }
  try {
    // A version that is not a number reaches the decoder as it is, which names it (invalid_command).
    return { seq, command: JSON.parse(payload) as unknown, version: version === undefined ? undefined : /^\d{1,6}$/.test(version) ? Number(version) : version };
  } catch (error) {
    throw new JournalCorruptError(`journal entry seq ${seq} at ${where} is not JSON: ${(error as Error).message}`, seq, where);
  }
}

/** Best effort: the seq of a damaged line, so the error can still name it. */
function seqFromJson(json: string): number | null {
  const match = /^\{"seq":(\d{1,16}),/.exec(json);
  return match ? Number(match[1]) : null;
}
