// The connection's state in words, for the status line every live page shows.
import { showStatus } from './dom.ts';
import type { ConnectionStatus } from './live-connection.ts';

export function showConnection(line: HTMLElement, status: ConnectionStatus): void {
  line.dataset.state = status.state;
  switch (status.state) {
    case 'connecting':
      return showStatus(line, 'info', 'Connecting…');
    case 'live':
      return showStatus(line, 'ok', 'Live');
    case 'reconnecting':
      return showStatus(line, 'error', status.retryInMs > 0 ? `Connection lost; reconnecting in ${Math.ceil(status.retryInMs / 1_000)} s (attempt ${status.attempt})…` : `Reconnecting (attempt ${status.attempt})…`);
    case 'refused':
      return showStatus(line, 'error', `Not connected: ${status.failure.message} (${status.failure.code})`);
    case 'closed':
      return showStatus(line, 'info', 'Disconnected');
    default:
      return status satisfies never;
  }
}
