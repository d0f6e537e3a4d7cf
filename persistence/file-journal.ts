// The embedded journal: append-only segment files of checksummed JSON lines in one directory, for running
// without Redis. Each segment is named after the seq of its first entry (`0000000000000001.log`); a batch is one
// write followed by one fdatasync, and only then does `append` resolve.
//
// Trimming works on whole segments: after a snapshot, `trimBefore` starts a new segment and deletes every
// segment whose entries all precede the trim point. Deleting files is cheap and atomic, needs no rewrite of
// live data, and a crash halfway through only leaves an older segment that readers skip. The cost is
// granularity: up to one segment of entries older than the trim point may stay on disk.
import { createReadStream } from 'node:fs';
import { open, readdir, rm, type FileHandle } from 'node:fs/promises';
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

/** What `open` had to repair: bytes of a torn last line (a write cut short by a crash, never acknowledged). */
export interface FileJournalOpenReport {
  tornTailBytes: number;
}

const SEGMENT_NAME = /^(\d{16})\.log$/;
const DEFAULT_SEGMENT_BYTES = 64 * 1024 * 1024;

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

  private constructor(
    private readonly dir: string,
    private readonly segmentBytesMax: number,
    private readonly unlock: () => Promise<void>,
    private segments: number[],
    private handle: FileHandle,
    private size: number,
    private last: number,
    readonly openReport: FileJournalOpenReport,
  ) {}

  /** Opens (or creates) the journal in `options.dir`, repairing a torn last line left by a crash. */
  static async open(options: FileJournalOptions): Promise<FileJournal> {
    const { dir } = options;
    await ensureDir(dir);
    const unlock = await lockDirectory(dir);
    try {
      let segments = await listSegments(dir);
      if (segments.length === 0) {
        await (await open(join(dir, segmentName(1)), 'wx')).close();
        await fsyncDir(dir);
        segments = [1];
      }
      const firstSeq = segments[segments.length - 1]!;
      const path = join(dir, segmentName(firstSeq));
      const handle = await open(path, 'r+');
      let tail: Awaited<ReturnType<typeof scanTail>>;
      try {
        tail = await scanTail(handle, path, firstSeq);
        if (tail.tornTailBytes > 0) {
          await handle.truncate(tail.size);
          await handle.datasync();
        }
      } catch (error) {
        // A damaged journal refuses to open; its handle must not be left for the garbage collector to close.
        await handle.close();
        throw error;
      }
      const { size, last, tornTailBytes } = tail;
      return new FileJournal(dir, options.segmentBytesMax ?? DEFAULT_SEGMENT_BYTES, unlock, segments, handle, size, last, { tornTailBytes });
    } catch (error) {
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
      this.last = entries[entries.length - 1]!.seq;
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

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
    await this.unlock();
  }

  private checkWritable(): void {
    if (this.closed) throw new JournalClosedError('the journal is closed');
    if (this.broken !== null) throw this.brokenError();
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
  const lastLineStart = buffer.lastIndexOf(0x0a, end - 2) + 1;
  const entry = decodeFileLineBytes(buffer.subarray(lastLineStart, end - 1), `${path} (last line)`);
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
    yield entries;
  }
  if (carry.length > 0) throw new JournalCorruptError(`${path} ends with ${carry.length} bytes that are not a complete line`, null, `${path}:${lineNo + 1}`);
}
