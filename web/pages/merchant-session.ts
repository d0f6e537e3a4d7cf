// The merchant's API key for this browser tab. Kept in sessionStorage (gone when the tab closes, never sent
// anywhere but this server's API) and checked against the server before it is kept. `#/merchant?key=…` signs in
// at once — `npm start` prints such a link for its demo merchant — and the key is then taken out of the address.
import type { Page } from '../app-context.ts';
import { el, field, replaceChildren, textInput } from '../dom.ts';
import { clearProblems, placeProblems } from '../field-errors.ts';
import { callApi } from '../http-api.ts';

const STORAGE_KEY = 'tuan.merchantApiKey';

export function merchantKey(): string | null {
  return sessionStorage.getItem(STORAGE_KEY);
}

export function signOut(): void {
  sessionStorage.removeItem(STORAGE_KEY);
  // Already on #/merchant, setting the hash changes nothing: ask the router to show the page again.
  if (location.hash === '#/merchant') window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = '#/merchant';
}

/** Checks a key with a cheap authenticated read; the server's refusal (unknown key, rate limited) is the message. */
async function checkKey(apiKey: string) {
  return callApi<{ offers: unknown[] }>('GET', '/v1/offers?limit=1', { apiKey });
}

/** Shows the sign-in form in `root`; calls `signedIn` once a key is accepted. */
export function showSignIn(root: HTMLElement, signedIn: () => void, presetKey: string | null): void {
  const key = textInput(presetKey ?? '', { autocomplete: 'off', spellcheck: false, placeholder: 'tuan_mk_…', required: true });
  const summary = el('div', { class: 'form-problems', attrs: { role: 'alert' } });
  const form = el('form', { class: 'card narrow', attrs: { novalidate: true, 'aria-label': 'Merchant sign-in' } }, [
    el('h2', { text: 'Merchant console' }),
    el('p', { class: 'hint', text: 'Sign in with your API key. In development, `npm start` prints a link that signs the demo merchant in.' }),
    field('API key', key, { path: 'apiKey' }).wrapper,
    summary,
    el('div', { class: 'actions' }, [el('button', { text: 'Sign in', class: 'btn primary', attrs: { type: 'submit' } })]),
  ]);
  const submit = async (): Promise<void> => {
    clearProblems(form);
    const apiKey = key.value.trim();
    const answer = await checkKey(apiKey);
    if (!answer.ok) {
      // Every refusal here is about the key (unknown, malformed, rate limited): shown next to it.
      placeProblems(form, [{ path: 'apiKey', message: `${answer.failure.message} (${answer.failure.code})` }], summary);
      return;
    }
    sessionStorage.setItem(STORAGE_KEY, apiKey);
    signedIn();
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void submit();
  });
  replaceChildren(root, [form]);
  if (presetKey) void submit();
  else key.focus();
}

/** Wraps a merchant page: shows sign-in first when this tab has no key, and takes `?key=` out of the address. */
export function requireMerchant(page: Page): Page {
  return (root, params, app) => {
    const preset = params.get('key');
    if (preset !== null) {
      params.delete('key');
      const rest = params.toString();
      history.replaceState(null, '', `${location.pathname}${location.hash.split('?')[0]}${rest ? `?${rest}` : ''}`);
    }
    let teardown: (() => void) | null = null;
    const mount = (): void => {
      teardown = page(root, params, app);
    };
    if (preset === null && merchantKey() !== null) mount();
    else showSignIn(root, mount, preset);
    return () => teardown?.();
  };
}
