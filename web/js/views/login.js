// Sign-in form (shown when users are configured and nobody is signed in).
import { api } from '../api.js';
import { h } from '../dom.js';

export function loginView(onSignedIn) {
  const error = h('p', { class: 'error', role: 'alert', id: 'login-error' });
  const name = h('input', { id: 'login-name', name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const button = h('button', { type: 'submit', id: 'login-submit', class: 'primary' }, 'Sign in');
  const form = h('form', { class: 'card login', onsubmit: async (e) => {
    e.preventDefault();
    error.textContent = '';
    button.disabled = true;
    try {
      const res = await api('/api/login', { name: name.value, password: password.value });
      password.value = '';
      onSignedIn(res.user);
    } catch (err) {
      error.textContent = err.code === 'RATE_LIMITED' ? err.message : err.code === 'LOGIN_FAILED' ? 'Wrong name or password.' : err.message;
    } finally {
      button.disabled = false;
    }
  } },
  h('h1', {}, 'Sign in'),
  h('label', {}, 'Name', name),
  h('label', {}, 'Password', password),
  button, error);
  return { el: h('section', { class: 'center' }, form) };
}
