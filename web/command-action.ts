// A shopper's click as a command: sent over the page's connection with an idempotency key, its outcome shown in
// the status line under the button that caused it — the server's message and code when refused, so a person
// can act on it. A command whose answer was lost in a drop keeps its key: clicking again is applied once.
import { showStatus } from './dom.ts';
import { RetryKeys } from './http-api.ts';
import type { LiveConnection } from './live-connection.ts';
import type { Failure, Outcome } from './wire.ts';

export class CommandActions {
  private readonly keys = new RetryKeys();

  constructor(private readonly connection: LiveConnection) {}

  /**
   * Sends `message` as the action named `action` (the same action retried reuses its key only after a lost
   * answer). `line` gets "Sending…", then `success(result)` or the refusal; its `data-code` is `ok` or the code.
   */
  async run(
    action: string,
    message: Record<string, unknown>,
    line: HTMLElement,
    success: (result: Record<string, unknown>) => string,
    advice: Advice = {},
  ): Promise<Outcome<Record<string, unknown>>> {
    const key = this.keys.key(action);
    showStatus(line, 'info', 'Sending…');
    delete line.dataset.code;
    const outcome = await this.connection.command({ ...message, idempotencyKey: key });
    this.keys.settle(action, key, outcome.ok ? null : outcome.failure.code);
    if (!outcome.ok) {
      line.dataset.code = outcome.failure.code;
      showStatus(line, 'error', describeFailure(outcome.failure, advice));
      return outcome;
    }
    line.dataset.code = 'ok';
    showStatus(line, 'ok', success(outcome.value));
    return outcome;
  }
}

/** What to do about a refusal, by its code, where the server's message alone leaves a person guessing. */
export type Advice = Partial<Record<string, string>>;

/** A refusal in words: the server's message, its stable code (which a person can quote to support), what to do. */
export function describeFailure(failure: Failure, advice: Advice = {}): string {
  const next = advice[failure.code];
  return `${failure.message} (${failure.code})${next ? ` ${next}` : ''}`;
}

/** Empties a status line that shows a success, once what it says no longer holds; a refusal stays until acted on. */
export function clearIfDone(line: HTMLElement): void {
  if (!line.classList.contains('ok')) return;
  line.className = 'status';
  line.textContent = '';
  delete line.dataset.code;
}
