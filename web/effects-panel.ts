// Effects for the merchant: the webhook endpoint and the webhooks that failed for good (dead letters), with a way
// to send one again. They exist only when the server runs with Redis; otherwise the panel says so plainly.
import type { ConsoleConfig } from './app-context.ts';
import { button, el, field, replaceChildren, showStatus, statusLine, textInput } from './dom.ts';
import { clearProblems, placeProblems, problemsOf } from './field-errors.ts';
import { clockTime } from './format.ts';
import { callApi } from './http-api.ts';

interface DeadLetter {
  effectId: string;
  effect: { kind?: string; type?: string; [key: string]: unknown };
  attemptsMade: number;
  lastError: string;
  failedAtMs: number;
}

export function effectsPanel(apiKey: string, config: ConsoleConfig): HTMLElement {
  const card = el('section', { class: 'card', attrs: { 'aria-label': 'Effects and webhooks' } }, [el('h2', { text: 'Effects and webhooks' })]);
  if (!config.effects) {
    card.append(
      el('p', {
        class: 'status info',
        attrs: { 'data-testid': 'effects-off' },
        text: 'Effects are not configured: this server runs without Redis (REDIS_URL), so it sends no orders, payments or webhooks and keeps no dead letters. Start it with REDIS_URL to see them here.',
      }),
    );
    return card;
  }

  const url = textInput('', { type: 'url', placeholder: 'https://shop.example/hooks' });
  const secret = textInput('', { type: 'password', autocomplete: 'off', placeholder: '16 to 256 characters' });
  const endpointNow = el('p', { class: 'hint' });
  const endpointSummary = el('div', { class: 'form-problems', attrs: { role: 'alert' } });
  const endpointStatus = statusLine();
  const endpointForm = el('form', { class: 'endpoint', attrs: { novalidate: true } }, [
    el('h3', { text: 'Webhook endpoint' }),
    endpointNow,
    el('div', { class: 'grid' }, [field('Endpoint URL', url, { path: 'url' }).wrapper, field('Signing secret', secret, { path: 'secrets.0' }).wrapper]),
    endpointSummary,
    endpointStatus,
    el('div', { class: 'actions' }, [
      el('button', { class: 'btn primary', text: 'Save endpoint', attrs: { type: 'submit' } }),
      button('Remove endpoint', () => void removeEndpoint(), { kind: 'danger' }),
    ]),
  ]);
  const letters = el('ul', { class: 'dead-letters', attrs: { 'aria-label': 'Dead letters' } });
  const lettersStatus = statusLine();
  card.append(
    endpointForm,
    el('div', { class: 'title-row' }, [el('h3', { text: 'Webhooks that failed for good' }), button('Refresh', () => void loadLetters())]),
    lettersStatus,
    letters,
  );

  const loadEndpoint = async (): Promise<void> => {
    const answer = await callApi<{ url: string | null; secrets: number }>('GET', '/v1/webhook-endpoint', { apiKey });
    if (!answer.ok) return showStatus(endpointStatus, 'error', `${answer.failure.message} (${answer.failure.code})`);
    endpointNow.textContent = answer.value.url
      ? `Now: ${answer.value.url} (${answer.value.secrets} secret${answer.value.secrets === 1 ? '' : 's'}). Held in memory: set it again after a restart.`
      : 'No endpoint: no webhooks are sent.';
  };

  const removeEndpoint = async (): Promise<void> => {
    const answer = await callApi('DELETE', '/v1/webhook-endpoint', { apiKey });
    if (!answer.ok) return showStatus(endpointStatus, 'error', `${answer.failure.message} (${answer.failure.code})`);
    showStatus(endpointStatus, 'ok', 'Endpoint removed.');
    await loadEndpoint();
  };

  endpointForm.addEventListener('submit', (event) => {
    event.preventDefault();
    void (async () => {
      clearProblems(endpointForm);
      const answer = await callApi('PUT', '/v1/webhook-endpoint', { apiKey, body: { url: url.value.trim(), secrets: [secret.value] } });
      if (!answer.ok) {
        showStatus(endpointStatus, 'error', `Not saved: ${answer.failure.message} (${answer.failure.code})`);
        return placeProblems(endpointForm, problemsOf(answer.failure), endpointSummary);
      }
      secret.value = '';
      showStatus(endpointStatus, 'ok', 'Endpoint saved.');
      await loadEndpoint();
    })();
  });

  const loadLetters = async (): Promise<void> => {
    const answer = await callApi<{ deadLetters: DeadLetter[] }>('GET', '/v1/dead-letters?limit=50', { apiKey });
    if (!answer.ok) return showStatus(lettersStatus, 'error', `${answer.failure.message} (${answer.failure.code})`);
    const list = answer.value.deadLetters;
    showStatus(lettersStatus, 'info', list.length === 0 ? 'None: every webhook was delivered or is still being tried.' : `${list.length} failed webhook(s), newest first.`);
    replaceChildren(
      letters,
      list.map((letter) => {
        const line = statusLine();
        return el('li', {}, [
          el('strong', { text: String(letter.effect.type ?? letter.effect.kind ?? 'webhook') }),
          el('span', { text: ` · ${letter.attemptsMade} attempts · failed at ${clockTime(letter.failedAtMs)} · ${letter.lastError}` }),
          el('div', { class: 'hint', text: letter.effectId }),
          button('Send again', () => {
            void callApi('POST', `/v1/dead-letters/${encodeURIComponent(letter.effectId)}/redeliver`, { apiKey, body: {} }).then((result) => {
              if (result.ok) showStatus(line, 'ok', 'Queued again with fresh attempts.');
              else showStatus(line, 'error', `${result.failure.message} (${result.failure.code})`);
            });
          }),
          line,
        ]);
      }),
    );
  };

  void loadEndpoint();
  void loadLetters();
  return card;
}
