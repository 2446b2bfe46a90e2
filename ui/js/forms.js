// Forms that are submitted as a whole (making something new): labels above inputs, an error
// summary at the top, and each problem beside its field, as in the GOV.UK Design System.

import { errorMessage } from './feedback.js';
import { fill, h } from './dom.js';

export function formField({ id, label, hint, type = 'text', multiline = false, value = '' }) {
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  const input = multiline
    ? h('textarea', { id, rows: 3, 'aria-describedby': hintId })
    : h('input', { id, type, autocomplete: 'off', 'aria-describedby': hintId });
  input.value = value;
  const error = h('div');
  const wrapper = h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    error, input);
  return {
    input,
    wrapper,
    setError(message) {
      wrapper.classList.toggle('field-invalid', !!message);
      fill(error, message ? h('p', { class: 'field-error', id: errorId }, message) : '');
      if (message) {
        input.setAttribute('aria-invalid', 'true');
        input.setAttribute('aria-describedby', [hintId, errorId].filter(Boolean).join(' '));
      } else {
        input.removeAttribute('aria-invalid');
        if (hintId) input.setAttribute('aria-describedby', hintId);
        else input.removeAttribute('aria-describedby');
      }
    },
  };
}

/** "There is a problem", with a link to each field that has one. */
export function errorSummary(problems) {
  return h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
    h('h2', {}, 'There is a problem'),
    h('ul', {}, problems.map(([id, message]) => h('li', {}, h('a', {
      href: `#${id}`,
      onclick: (event) => { event.preventDefault(); document.getElementById(id)?.focus(); },
    }, message)))));
}

/**
 * A one-field form that makes something new from a title, then opens it: `create(title)`
 * returns the route to go to. A refusal is shown beside the field, with the text kept.
 */
export function createForm({ id, label, hint, button, create }) {
  const input = h('input', { id, type: 'text', autocomplete: 'off', 'aria-describedby': hint ? `${id}-hint` : null });
  const error = h('div');
  const form = h('form', { class: 'inline-form', 'aria-label': label },
    h('div', { class: 'field' },
      h('label', { for: id }, label),
      hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null,
      error, input),
    h('button', { type: 'submit', class: 'button' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      location.hash = `#${await create(input.value)}`;
    } catch (e) {
      fill(error, errorMessage(e));
      input.focus();
    }
  });
  return form;
}
