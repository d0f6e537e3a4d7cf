// The crash test's referee. After each kill it reads the journal the server left behind (the server is dead,
// so the store is quiet), replays the new entries into its own engine — a replay from the very first command,
// carried on incrementally — and checks:
// - the journal is a gapless sequence 1..N of valid commands;
// - nothing was applied twice: a command repeated with its idempotency key gets the first accepted result again;
// - inventory is never oversold (held + sold ≤ inventory after every entry) and the engine's invariants hold;
// - every answer a client got (other than gateway-only refusals and `unavailable`) matches a journal entry
//   with that key and the same result: acknowledged means journaled.
// The crash test then compares the restarted server's recovered (seq, state hash) with this replay.
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { Engine, canonicalJson, parseCommand, type CommandResult } from '../../engine/index.ts';
import { FileJournal, RedisJournal, type Journal, type StoredEntry } from '../../persistence/index.ts';
import { GATEWAY_ONLY_CODES, type Answer, type Ledger } from './load.ts';

/** Where the journal is; `read` opens it, reads every entry from `fromSeq`, and closes it again. */
export interface JournalSource {
  read(fromSeq: number): Promise<StoredEntry[]>;
}

async function readAll(journal: Journal, fromSeq: number): Promise<StoredEntry[]> {
  const entries: StoredEntry[] = [];
  try {
    for await (const batch of journal.readFrom(fromSeq, 5_000)) entries.push(...batch);
  } finally {
    await journal.close();
  }
  return entries;
}

/** The file store of a dead server: opening takes over its lock (and cuts a torn tail, as the server would). */
export function fileSource(dataDir: string): JournalSource {
  return { read: async (fromSeq) => readAll(await FileJournal.open({ dir: join(dataDir, 'journal') }), fromSeq) };
}

export function redisSource(url: string, keyPrefix: string): JournalSource {
  return {
    async read(fromSeq) {
      const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await client.connect();
      return readAll(new RedisJournal(client, { keyPrefix, ownsClient: true }), fromSeq);
    },
  };
}

const PROBLEMS_KEPT = 20;

export class Verifier {
  readonly engine = new Engine();
  lastSeq = 0;
  readonly problems: string[] = [];
  /** Results of the journal entries that carried each idempotency key, in journal order. */
  private readonly resultsByKey = new Map<string, CommandResult[]>();
  /** How many answers of each key were checked already, so each cycle checks only new ones. */
  private readonly checked = new Map<string, number>();
  private readonly hashes = new Map<number, string>();

  constructor(private readonly source: JournalSource) {}

  /** Replays the entries added since the last call; `hashAtSeq` records the state hash reached at that seq. */
  async catchUp(hashAtSeq?: number): Promise<number> {
    const entries = await this.source.read(this.lastSeq + 1);
    for (const entry of entries) {
      if (entry.seq !== this.lastSeq + 1) {
        this.problem(`journal gap: seq ${entry.seq} follows seq ${this.lastSeq}`);
        return entries.length;
      }
      const parsed = parseCommand(entry.command);
      if (!parsed.ok) {
        this.problem(`journal seq ${entry.seq} is not a valid command: ${parsed.message}`);
        return entries.length;
      }
      const { result } = this.engine.apply(parsed.command);
      this.lastSeq = entry.seq;
      const key = parsed.command.idempotencyKey;
      if (key !== undefined) {
        const results = this.resultsByKey.get(key) ?? [];
        const firstAccepted = results.find((earlier) => earlier.ok);
        if (firstAccepted && canonicalJson(firstAccepted) !== canonicalJson(result)) {
          this.problem(`applied twice: seq ${entry.seq} repeats key ${key} but got ${canonicalJson(result)} instead of the first ${canonicalJson(firstAccepted)}`);
        }
        results.push(result);
        this.resultsByKey.set(key, results);
      }
      for (const offerId of this.engine.offerIds()) {
        const offer = this.engine.offer(offerId)!;
        if (offer.heldUnits + offer.soldUnits > offer.inventory) {
          this.problem(`oversold after seq ${entry.seq}: offer ${offerId} holds ${offer.heldUnits} + sold ${offer.soldUnits} > inventory ${offer.inventory}`);
        }
      }
      if (entry.seq === hashAtSeq) this.hashes.set(entry.seq, this.engine.stateHash());
    }
    for (const violation of this.engine.checkInvariants()) this.problem(`invariant after seq ${this.lastSeq}: ${violation}`);
    return entries.length;
  }

  hashAt(seq: number): string | undefined {
    return seq === this.lastSeq ? this.engine.stateHash() : this.hashes.get(seq);
  }

  /** Every answer clients got must match a journal entry carrying its key. */
  checkLedger(ledger: Ledger): number {
    let checkedNow = 0;
    for (const [key, { sent, answers }] of ledger.answers) {
      const from = this.checked.get(key) ?? 0;
      if (from === answers.length) continue;
      this.checked.set(key, answers.length);
      for (const answer of answers.slice(from)) {
        checkedNow += 1;
        if (!answer.ok && GATEWAY_ONLY_CODES.has(answer.code ?? '')) continue;
        const results = this.resultsByKey.get(key);
        const what = sent.kind === 'ws' ? String(sent.message.type) : `${sent.method} ${sent.path}`;
        if (!results) {
          this.problem(`acknowledged ${what} (key ${key}, answer ${JSON.stringify(answer)}) is not in the journal`);
        } else if (!results.some((result) => sameOutcome(answer, result))) {
          this.problem(`acknowledged ${what} (key ${key}) was answered ${JSON.stringify(answer)}, but the journal's replay gives ${canonicalJson(results)}`);
        }
      }
    }
    return checkedNow;
  }

  private problem(message: string): void {
    if (this.problems.length < PROBLEMS_KEPT) this.problems.push(message);
  }
}

function sameOutcome(answer: Answer, result: CommandResult): boolean {
  if (answer.ok !== result.ok) return false;
  if (!result.ok) return answer.code === result.code;
  if (answer.result === undefined) return true;
  // The ack carries the result without `ok`, as JSON.
  const { ok: _ok, ...rest } = result;
  return canonicalJson(answer.result) === canonicalJson(JSON.parse(JSON.stringify(rest)));
}
