// Test helper: damage the embedded file journal on disk the way a bad disk or a careless operator would.
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Rewrites the journal line holding `seq` (or drops it when `change` returns null). A line is a checksum and a
 * space (9 characters) followed by the entry's JSON, which starts with its seq.
 */
export async function editJournalLine(journalDir: string, seq: number, change: (line: string) => string | null): Promise<void> {
  for (const name of (await readdir(journalDir)).filter((n) => n.endsWith('.log'))) {
    const path = join(journalDir, name);
    const lines = (await readFile(path, 'utf8')).split('\n');
    const index = lines.findIndex((line) => line.slice(9).startsWith(`{"seq":${seq},`));
    if (index === -1) continue;
    const changed = change(lines[index]!);
    if (changed === null) lines.splice(index, 1);
    else lines[index] = changed;
    await writeFile(path, lines.join('\n'));
    return;
  }
  throw new Error(`no journal line with seq ${seq}`);
}
