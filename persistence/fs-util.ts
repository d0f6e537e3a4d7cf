// File-system helpers for the embedded store: directory fsync (a new or renamed file is durable only once its
// directory is) and a lock file so two processes never append to one journal.
import { mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Makes a directory's entries (files created, renamed or removed in it) durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function ensureDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
}

export class DirectoryLockedError extends Error {
  override name = 'DirectoryLockedError';
}

/**
 * Takes `<dir>/LOCK` for this process. A lock left by a process that no longer runs (a crash, `kill -9`) is
 * taken over; one held by a live process, this one included, is refused. Advisory: it keeps two copies of
 * the server from sharing a data directory by mistake, it is not a fence against a determined writer.
 * Returns a function that releases the lock.
 */
export async function lockDirectory(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'LOCK');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      return async () => {
        await rm(path, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(holder) && holder > 0 && isRunning(holder)) {
      throw new DirectoryLockedError(`${dir} is in use by process ${holder} (remove ${path} only if that process is not a tuan server)`);
    }
    await rm(path, { force: true });
  }
  throw new DirectoryLockedError(`could not take the lock ${path}`);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
