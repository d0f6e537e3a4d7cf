// The embedded journal: append-only segment files of checksummed JSON lines in one directory, for running
// without Redis. Each segment is named after the seq of its first entry (`0000000000000001.log`); a batch is one
// write followed by one fdatasync, and only then does `append` resolve.
//
// Trimming works on whole segments: after a snapshot, `trimBefore` starts a new segment and deletes every
// segment whose entries all precede the trim point. Deleting files is cheap and atomic, needs no rewrite of
// live data, and a crash halfway through only leaves an older segment that readers skip. The cost is
// granularity: up to one segment of entries older than the trim point may stay on disk.
//
// Beside the segments, `HIGH_WATER` records the last acknowledged seq: written and fdatasync'ed after each batch's
// own fdatasync and before `append` resolves, so every acknowledged entry is below it. A journal whose entries end
// before the mark lost acknowledged entries (a file cut short, a segment emptied or replaced by an older copy);
// only bytes after the last newline are a crash's artefact. See docs/durability.md for what it does not catch.
import { createReadStream } from 'node:fs';
import { open, readdir, rm, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { join } from 'node:path';
import { decodeFileLineBytes, encodeFileLine } from './codec.ts';
import { ensureDir, fsyncDir, lockDirectory } from './fs-util.ts';
import {
  JournalBrokenError,
  JournalClosedError,
  JournalCorruptError,
  JournalUnavailableError,
  checkConsecutive,
  type Journal,
  type JournalEntry,
  type StoredEntry,
} from './journal.ts';

export interface FileJournalOptions {
  /** Directory holding the segments and the LOCK file; created when missing. */
  dir: string;
  /** A segment is closed and a new one started once it reaches this size. */
  segmentBytesMax?: number;
}

/** What `open` found: bytes of a torn last line cut off (a write cut short by a crash, never acknowledged). */
export interface FileJournalOpenReport {
  tornTailBytes: number;
  /** The high-water mark read at open (0 for a new journal). */
  acknowledgedSeq: number;
  /** True when a journal written before high-water marks got its first one (from its last entry). */
  markCreated: boolean;
}

const SEGMENT_NAME = /^(\d{16})\.log$/;
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;
/** A line longer than this is damage, not an entry (a command is bounded far below it): reading stops there. */
const LINE_BYTES_MAX = 64 * 1024 * 1024;
const MARK_NAME = 'HIGH_WATER';
/**
 * The mark file holds two slots in separate 512-byte sectors, written alternately: a write torn by a crash damages
 * at most the slot being written, and the other still holds the mark before it (never above the durable entries).
 * A slot is `<seq, 16 digits> <crc32 of those digits>\n`.
 */
const MARK_SLOT_OFFSETS = [0, 512] as const;

function encodeMark(seq: number): Buffer {
  const digits = String(seq).padStart(16, '0');
  return Buffer.from(`${digits} ${crc32(digits).toString(16).padStart(8, '0')}\n`, 'latin1');
}

/** The highest valid slot, or null when no slot is valid. */
function decodeMark(bytes: Buffer): number | null {
  let best: number | null = null;
  for (const offset of MARK_SLOT_OFFSETS) {
    const slot = bytes.toString('latin1', offset, offset + 26);
    const match = /^(\d{16}) ([0-9a-f]{8})\n$/.exec(slot);
    if (match === null || crc32(match[1]!).toString(16).padStart(8, '0') !== match[2]) continue;
    const seq = Number(match[1]);
    if (Number.isSafeInteger(seq) && (best === null || seq > best)) best = seq;
  }
  return best;
}

function segmentName(firstSeq: number): string {
  return `${String(firstSeq).padStart(16, '0')}.log`;
}

async function listSegments(dir: string): Promise<number[]> {
  const names = await readdir(dir);
  return names
    .map((name) => SEGMENT_NAME.exec(name))
    .filter((match) => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

/** Journal in segment files. Contract: `Journal` in journal.ts; durability per docs/durability.md. */
export class FileJournal implements Journal {
  private closed = false;
  /** Set when a write or fsync failed: the file's tail is unknown until the journal is opened again. */
  private broken: Error | null = null;
  /** Set when the entries end before the mark: reads still work (recovery names the loss), writes are refused. */
  private truncation: string | null = null;
  /** The mark slot the next append writes (alternating, see MARK_SLOT_OFFSETS). */
  private nextMarkSlot = 0;

  private constructor(
    private readonly dir: string,
    private readonly segmentBytesMax: number,
    private readonly unlock: () => Promise<void>,
    private segments: number[],
    private handle: FileHandle,
    private size: number,
    private last: number,
    private readonly markHandle: FileHandle,
    /** The last acknowledged seq as durably recorded; never above what the segments held when it was written. */
    private mark: number,
    readonly openReport: FileJournalOpenReport,
  ) {}

  /**
   * Opens (or creates) the journal in `options.dir`, repairing a torn last line left by a crash. When the entries
   * end before the high-water mark nothing is repaired or written (the files are evidence for an operator), the
   * journal refuses appends, and `acknowledgedSeq()` lets recovery name the missing seqs.
   */
  static async open(options: FileJournalOptions): Promise<FileJournal> {
    const { dir } = options;
    await ensureDir(dir);
    const unlock = await lockDirectory(dir);
    const handles: FileHandle[] = [];
    try {
      const segments = await listSegments(dir);
      const markPath = join(dir, MARK_NAME);
      const markBytes = await readMarkFile(markPath);
      const firstSeq = segments[segments.length - 1] ?? 1;
      const path = join(dir, segmentName(firstSeq));
      let tail: Awaited<ReturnType<typeof scanTail>>;
      let handle: FileHandle | null = null;
      if (segments.length === 0) {
        tail = { size: 0, last: 0, tornTailBytes: 0 };
      } else {
        handle = await open(path, 'r+');
        handles.push(handle);
        tail = await scanTail(handle, path, firstSeq);
      }
      let mark = markBytes === null ? null : decodeMark(markBytes);
      if (markBytes !== null && mark === null) {
        throw new JournalCorruptError(`the high-water mark ${markPath} is damaged (neither slot passes its checksum)`, null, markPath);
      }
      const truncated = mark !== null && tail.last < mark;
      let markCreated = false;
      if (!truncated) {
        if (handle !== null && tail.tornTailBytes > 0) {
          await handle.truncate(tail.size);
          await handle.datasync();
        }
        if (mark === null) {
          // A journal from before high-water marks (or a new one): its entries are all it can vouch for.
          markCreated = tail.last > 0;
          mark = tail.last;
          await writeMarkFile(markPath, mark);
          await fsyncDir(dir);
        }
      }
      if (handle === null && !truncated) {
        await (await open(path, 'wx')).close();
        await fsyncDir(dir);
        segments.push(firstSeq);
      }
      if (handle === null) {
        // A new journal's first segment, or (truncated: every segment gone, the mark left) a handle that is never
        // written, since a truncated journal refuses appends; opening it read-only creates nothing on disk.
        handle = await open(truncated ? markPath : path, truncated ? 'r' : 'r+');
        handles.push(handle);
      }
      const markHandle = await open(markPath, truncated ? 'r' : 'r+');
      handles.push(markHandle);
      const report = { tornTailBytes: truncated ? 0 : tail.tornTailBytes, acknowledgedSeq: mark ?? 0, markCreated };
      const journal = new FileJournal(dir, options.segmentBytesMax ?? DEFAULT_SEGMENT_BYTES, unlock, segments.length === 0 ? [1] : segments, handle, tail.size, tail.last, markHandle, mark ?? 0, report);
      if (truncated) journal.truncation = `the journal ends at seq ${tail.last}, before its high-water mark at seq ${mark}: acknowledged entries are missing`;
      return journal;
    } catch (error) {
      // A damaged journal refuses to open; its handles must not be left for the garbage collector to close.
      for (const handle of handles) await handle.close().catch(() => undefined);
      await unlock();
      throw error;
    }
  }

  async append(entries: readonly JournalEntry[]): Promise<void> {
    this.checkWritable();
    if (entries.length === 0) return;
    checkConsecutive(entries, this.last);
    try {
      if (this.size >= this.segmentBytesMax) await this.roll();
      const bytes = Buffer.from(entries.map(encodeFileLine).join(''), 'utf8');
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, written, bytes.length - written, this.size + written);
        written += bytesWritten;
      }
      // One fdatasync per batch: this is what group commit amortizes.
      await this.handle.datasync();
      this.size += bytes.length;
      const last = entries[entries.length - 1]!.seq;
      this.last = last;
      // The mark only after the entries are durable (a mark above them would look like lost data after a crash),
      // and before the ack (so every acknowledged entry is below a durable mark).
      await this.markHandle.write(encodeMark(last), 0, 26, MARK_SLOT_OFFSETS[this.nextMarkSlot]);
      await this.markHandle.datasync();
      this.nextMarkSlot = 1 - this.nextMarkSlot;
      this.mark = last;
    } catch (error) {
      // After a failed write or fsync the page cache may have dropped data: trust nothing until reopened.
      this.broken = error as Error;
      throw new JournalUnavailableError(`file journal write of seq ${entries[0]!.seq}.. failed: ${(error as Error).message}`, { cause: error });
    }
  }

  async *readFrom(fromSeq: number, batchSize = 1_000): AsyncIterable<readonly StoredEntry[]> {
    if (this.closed) throw new JournalClosedError('the journal is closed');
    // Read what was durable when the read began: the active segment only up to its current size.
    const segments = [...this.segments];
    const activeSize = this.size;
    let startIndex = 0;
    for (let i = 0; i < segments.length; i++) if (segments[i]! <= fromSeq) startIndex = i;
    let batch: StoredEntry[] = [];
    for (let i = startIndex; i < segments.length; i++) {
      const path = join(this.dir, segmentName(segments[i]!));
      const end = i === segments.length - 1 ? activeSize : Infinity;
      for await (const entries of readSegment(path, end)) {
        for (const entry of entries) {
          if (entry.seq < fromSeq) continue;
          batch.push(entry);
          if (batch.length >= batchSize) {
            yield batch;
            batch = [];
          }
        }
      }
    }
    if (batch.length > 0) yield batch;
  }

  async trimBefore(seq: number): Promise<void> {
    this.checkWritable();
    // Everything in the active segment precedes `seq`: start a new one so the old one can go.
    if (this.last < seq && this.size > 0) await this.roll();
    const doomed = this.segments.filter((first, i) => i + 1 < this.segments.length && this.segments[i + 1]! <= seq);
    if (doomed.length === 0) return;
    // Oldest first, so a crash halfway leaves a contiguous run of segments.
    for (const first of doomed) await rm(join(this.dir, segmentName(first)), { force: true });
    await fsyncDir(this.dir);
    this.segments = this.segments.filter((first) => !doomed.includes(first));
  }

  async lastSeq(): Promise<number> {
    if (this.closed) throw new JournalClosedError('the journal is closed');
    // After a failed write the in-memory last seq says nothing about the disk: refuse rather than guess.
    if (this.broken !== null) throw this.brokenError();
    return this.last;
  }

  async acknowledgedSeq(): Promise<number | null> {
    if (this.closed) throw new JournalClosedError('the journal is closed');
    return this.mark;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
    await this.markHandle.close();
    await this.unlock();
  }

  private checkWritable(): void {
    if (this.closed) throw new JournalClosedError('the journal is closed');
    if (this.broken !== null) throw this.brokenError();
    if (this.truncation !== null) throw new JournalBrokenError(`the file journal refuses writes: ${this.truncation}`);
  }

  private brokenError(): JournalBrokenError {
    const message = this.broken?.message ?? '';
    return new JournalBrokenError(`the file journal failed earlier (${message}); restart the server to reopen it and recover from disk`, { cause: this.broken });
  }

  /** Starts a new segment after the last entry. The old one is complete and fsync'ed already. */
  private async roll(): Promise<void> {
    const firstSeq = this.last + 1;
    const handle = await open(join(this.dir, segmentName(firstSeq)), 'wx');
    await fsyncDir(this.dir);
    await this.handle.close();
    this.handle = handle;
    this.size = 0;
    this.segments.push(firstSeq);
  }
}

/**
 * Finds where the last complete line ends and the seq on it. Bytes after the last newline are a torn write
 * (never acknowledged, since an ack waits for the fsync of the whole batch) and are cut off by the caller.
 * Only the last line is decoded: the rest is checked, with the seq order, when recovery reads it.
 */
async function scanTail(handle: FileHandle, path: string, firstSeq: number): Promise<{ size: number; last: number; tornTailBytes: number }> {
  const { size: fileSize } = await handle.stat();
  const buffer = Buffer.alloc(fileSize);
  if (fileSize > 0) await handle.read(buffer, 0, fileSize, 0);
  const end = buffer.lastIndexOf(0x0a) + 1;
  if (end === 0) return { size: 0, last: firstSeq - 1, tornTailBytes: fileSize };
  const lastLineStart = end >= 2 ? buffer.lastIndexOf(0x0a, end - 2) + 1 : 0;
  // The seq the last line must hold, from the line before it (or the segment's name): a damaged last line is
  // then named by seq even when the damage is in its seq.
  let expectedSeq: number | undefined = firstSeq;
  if (lastLineStart > 0) {
    const previousStart = lastLineStart >= 2 ? buffer.lastIndexOf(0x0a, lastLineStart - 2) + 1 : 0;
    try {
      expectedSeq = decodeFileLineBytes(buffer.subarray(previousStart, lastLineStart - 1), `${path} (line before the last)`).seq + 1;
    } catch {
      expectedSeq = undefined;
    }
  }
  const entry = decodeFileLineBytes(buffer.subarray(lastLineStart, end - 1), `${path} (last line)`, expectedSeq);
  return { size: end, last: entry.seq, tornTailBytes: fileSize - end };
}

/**
 * Streams the entries of one segment up to byte `end`, a chunk's worth at a time. Lines are cut on the newline
 * byte before decoding, so a multi-byte character split across chunks is never damaged. A fragment after the
 * last newline is corruption here (a torn tail is only legal in the active segment, and `open` removed it).
 */
async function* readSegment(path: string, end: number): AsyncIterable<StoredEntry[]> {
  if (end === 0) return;
  const stream = createReadStream(path, { start: 0, end: end === Infinity ? undefined : end - 1, highWaterMark: 1 << 20 });
  let carry: Buffer = Buffer.alloc(0);
  let lineNo = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    const buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    const entries: StoredEntry[] = [];
    let start = 0;
    for (let nl = buffer.indexOf(0x0a); nl !== -1; nl = buffer.indexOf(0x0a, start)) {
      lineNo++;
      entries.push(decodeFileLineBytes(buffer.subarray(start, nl), `${path}:${lineNo}`));
      start = nl + 1;
    }
    carry = buffer.subarray(start);
    if (carry.length > LINE_BYTES_MAX) throw new JournalCorruptError(`${path} has a line longer than ${LINE_BYTES_MAX} bytes after line ${lineNo}`, null, `${path}:${lineNo + 1}`);
    yield entries;
  }
  if (carry.length > 0) throw new JournalCorruptError(`${path} ends with ${carry.length} bytes that are not a complete line`, null, `${path}:${lineNo + 1}`);
}

async function readMarkFile(path: string): Promise<Buffer | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    // Bounded: the mark is two slots; whatever follows them is not read.
    const bytes = Buffer.alloc(1024);
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Writes a fresh mark file with both slots at `seq`, fsync'ed (the caller fsyncs the directory). */
async function writeMarkFile(path: string, seq: number): Promise<void> {
  const bytes = Buffer.alloc(1024, 0x20);
  for (const offset of MARK_SLOT_OFFSETS) encodeMark(seq).copy(bytes, offset);
  const handle = await open(path, 'w');
  try {
    await handle.write(bytes, 0, bytes.length, 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
}
