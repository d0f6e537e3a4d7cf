// How entries and snapshots are turned into bytes and checked on the way back. Both stores use the same
// checksum (CRC-32, zlib's) so a damaged or hand-edited entry is caught the same way everywhere.
import { crc32 } from 'node:zlib';
import { JournalCorruptError, type JournalEntry, type StoredEntry } from './journal.ts';

/** CRC-32 of a string's UTF-8 bytes as 8 lowercase hex digits. Detects damage, not tampering. */
export function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, '0');
}

/**
 * One file-journal line: `<crc32 of json> <json>\n`, where json is `{"seq":N,"command":{...}}`. The seq is
 * inside the checksummed text, so an entry cannot be moved to another position without detection.
 */
export function encodeFileLine(entry: JournalEntry): string {
  const json = JSON.stringify({ seq: entry.seq, command: entry.command });
  return `${checksum(json)} ${json}\n`;
}

/**
 * Decodes one line (without its newline) straight from the bytes read, so the checksum runs over the bytes
 * without first making a string of them. `where` names the place in error messages (file and line).
 */
export function decodeFileLineBytes(bytes: Buffer, where: string): StoredEntry {
  if (bytes.length < 10 || bytes[8] !== 0x20) {
    throw new JournalCorruptError(`journal entry at ${where} has no checksum prefix`, seqFromJson(bytes.toString('utf8', 9)), where);
  }
  const stored = bytes.toString('latin1', 0, 8);
  const actual = crc32(bytes.subarray(9)).toString(16).padStart(8, '0');
  const json = bytes.toString('utf8', 9);
  if (stored !== actual) {
    throw new JournalCorruptError(`journal entry at ${where} fails its checksum (stored ${stored}, computed ${actual})`, seqFromJson(json), where);
  }
  return parseLineJson(json, where);
}

function parseLineJson(json: string, where: string): StoredEntry {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new JournalCorruptError(`journal entry at ${where} is not JSON: ${(error as Error).message}`, seqFromJson(json), where);
  }
  if (typeof parsed !== 'object' || parsed === null || !('seq' in parsed) || !('command' in parsed) || !Number.isSafeInteger(parsed.seq)) {
    throw new JournalCorruptError(`journal entry at ${where} lacks an integer "seq" and a "command"`, seqFromJson(json), where);
  }
  return { seq: parsed.seq as number, command: parsed.command };
}

/** The Redis form of an entry: the command's JSON and a checksum binding it to its seq. */
export function encodeRedisFields(entry: JournalEntry): { payload: string; crc: string } {
  const payload = JSON.stringify(entry.command);
  return { payload, crc: checksum(`${entry.seq}\n${payload}`) };
}

export function decodeRedisFields(seq: number, payload: string | undefined, crc: string | undefined, where: string): StoredEntry {
  if (payload === undefined || crc === undefined) {
    throw new JournalCorruptError(`journal entry seq ${seq} at ${where} lacks its "c" or "k" field`, seq, where);
  }
  const actual = checksum(`${seq}\n${payload}`);
  if (crc !== actual) {
    throw new JournalCorruptError(`journal entry seq ${seq} at ${where} fails its checksum (stored ${crc}, computed ${actual})`, seq, where);
  }
  try {
    return { seq, command: JSON.parse(payload) as unknown };
  } catch (error) {
    throw new JournalCorruptError(`journal entry seq ${seq} at ${where} is not JSON: ${(error as Error).message}`, seq, where);
  }
}

/** Best effort: the seq of a damaged line, so the error can still name it. */
function seqFromJson(json: string): number | null {
  const match = /^\{"seq":(\d{1,16}),/.exec(json);
  return match ? Number(match[1]) : null;
}
