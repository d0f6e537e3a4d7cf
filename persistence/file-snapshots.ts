// The embedded snapshot store: one file per snapshot, `snapshot-<seq, 16 digits>.json`, holding a header line
// `{"format","seq","hash","crc","bytes"}` and then the snapshot JSON (`crc` and `bytes` describe that JSON).
// A save writes a temp file, fsyncs it, renames it into place and fsyncs the directory: a crash at any point
// leaves either the old set of files or the new one, never a half-written snapshot under a real name.
import { open, readFile, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { EngineSnapshot } from '../engine/index.ts';
import { checksum } from './codec.ts';
import { ensureDir, fsyncDir } from './fs-util.ts';
import {
  SnapshotCorruptError,
  SnapshotOrderError,
  SnapshotUnavailableError,
  type SnapshotInfo,
  type SnapshotRecord,
  type SnapshotSlot,
  type SnapshotStore,
} from './snapshots.ts';

export const FILE_SNAPSHOT_FORMAT = 'tuan-snapshot-file/1';
const SNAPSHOT_NAME = /^snapshot-(\d{16})\.json$/;
const TEMP_SUFFIX = '.tmp';
/** Snapshot files kept: the newest and the one before it. */
const KEPT = 2;

interface Header {
  format: string;
  seq: number;
  hash: string;
  crc: string;
  bytes: number;
}

function fileName(seq: number): string {
  return `snapshot-${String(seq).padStart(16, '0')}.json`;
}

/** Snapshot store in a directory. Contract: `SnapshotStore` in snapshots.ts. */
export class FileSnapshotStore implements SnapshotStore {
  private constructor(private readonly dir: string) {}

  /** Opens the store in `dir` (created when missing) and removes temp files left by a crash mid-save. */
  static async open(dir: string): Promise<FileSnapshotStore> {
    await ensureDir(dir);
    for (const name of await readdir(dir)) if (name.endsWith(TEMP_SUFFIX)) await rm(join(dir, name), { force: true });
    return new FileSnapshotStore(dir);
  }

  async save(record: SnapshotRecord): Promise<void> {
    const seqs = await this.seqs();
    if (seqs.length > 0 && seqs[0]! > record.seq) {
      throw new SnapshotOrderError(`snapshot at seq ${record.seq} refused: the newest snapshot is at seq ${seqs[0]!}`);
    }
    const data = JSON.stringify(record.snapshot);
    const header: Header = { format: FILE_SNAPSHOT_FORMAT, seq: record.seq, hash: record.hash, crc: checksum(data), bytes: Buffer.byteLength(data) };
    const finalPath = join(this.dir, fileName(record.seq));
    const tempPath = finalPath + TEMP_SUFFIX;
    try {
      const handle = await open(tempPath, 'w');
      try {
        await handle.writeFile(`${JSON.stringify(header)}\n${data}`, 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      // rename replaces a snapshot of the same seq atomically; the directory fsync makes the new name durable.
      await rename(tempPath, finalPath);
      await fsyncDir(this.dir);
    } catch (error) {
      await rm(tempPath, { force: true });
      throw new SnapshotUnavailableError(`could not save the snapshot at seq ${record.seq} in ${this.dir}: ${(error as Error).message}`, { cause: error });
    }
    // Only now, with the new one durable, may the older ones go (the newest before this save is kept too).
    for (const seq of (await this.seqs()).slice(KEPT)) await rm(join(this.dir, fileName(seq)), { force: true });
  }

  async load(slot: SnapshotSlot = 'newest'): Promise<SnapshotRecord | null> {
    const seq = (await this.seqs())[slot === 'newest' ? 0 : 1];
    if (seq === undefined) return null;
    const path = join(this.dir, fileName(seq));
    const text = await readFile(path, 'utf8');
    const newline = text.indexOf('\n');
    const header = parseHeader(newline === -1 ? text : text.slice(0, newline), path);
    const data = newline === -1 ? '' : text.slice(newline + 1);
    if (header.seq !== seq) throw new SnapshotCorruptError(`${path} says it is at seq ${header.seq}, but its name says ${seq}`, path);
    const bytes = Buffer.byteLength(data);
    if (bytes !== header.bytes) throw new SnapshotCorruptError(`${path} holds ${bytes} bytes of data, its header says ${header.bytes} (truncated?)`, path);
    const actual = checksum(data);
    if (actual !== header.crc) throw new SnapshotCorruptError(`${path} fails its checksum (stored ${header.crc}, computed ${actual})`, path);
    try {
      return { seq: header.seq, hash: header.hash, snapshot: JSON.parse(data) as EngineSnapshot };
    } catch (error) {
      throw new SnapshotCorruptError(`${path} is not JSON: ${(error as Error).message}`, path);
    }
  }

  async list(): Promise<SnapshotInfo[]> {
    const infos: SnapshotInfo[] = [];
    const seqs = (await this.seqs()).slice(0, KEPT);
    for (let i = 0; i < seqs.length; i++) {
      const path = join(this.dir, fileName(seqs[i]!));
      const header = parseHeader(await readFirstLine(path), path);
      infos.push({ slot: i === 0 ? 'newest' : 'previous', seq: header.seq, hash: header.hash });
    }
    return infos;
  }

  async close(): Promise<void> {
    // Nothing held open between calls.
  }

  /** Seqs of the snapshot files present, newest first. */
  private async seqs(): Promise<number[]> {
    return (await readdir(this.dir))
      .map((name) => SNAPSHOT_NAME.exec(name))
      .filter((match) => match !== null)
      .map((match) => Number(match[1]))
      .sort((a, b) => b - a);
  }
}

function parseHeader(line: string, path: string): Header {
  let header: unknown;
  try {
    header = JSON.parse(line);
  } catch {
    throw new SnapshotCorruptError(`${path} has no readable header line`, path);
  }
  const h = header as Partial<Header> | null;
  if (h === null || typeof h !== 'object' || h.format !== FILE_SNAPSHOT_FORMAT || !Number.isSafeInteger(h.seq) || typeof h.hash !== 'string' || typeof h.crc !== 'string' || !Number.isSafeInteger(h.bytes)) {
    throw new SnapshotCorruptError(`${path} has a header that is not a ${FILE_SNAPSHOT_FORMAT} header`, path);
  }
  return h as Header;
}

/** The header line, without reading a snapshot that may be tens of megabytes. */
async function readFirstLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(4096);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer.toString('utf8', 0, bytesRead);
    const newline = text.indexOf('\n');
    return newline === -1 ? text : text.slice(0, newline);
  } finally {
    await handle.close();
  }
}
