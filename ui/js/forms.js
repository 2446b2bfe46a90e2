// Forms that are submitted as a whole (making something new): labels above inputs, an error
// summary at the top, and each problem beside its field, as in the GOV.UK Design System.

import { h } from './dom.js';
import { labelled } from './fields.js';

export function formField({ id, label, hint, type = 'text', multiline = false, value = '' }) {
  const input = multiline
    ? h('textarea', { rows: 3 })
    : h('input', { type, autocomplete: 'off' });
  input.value = value;
  return labelled({ id, label, hint, input });
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
  const { wrapper, input, setError } = formField({ id, label, hint });
  const form = h('form', { class: 'inline-form', 'aria-label': label },
    wrapper,
    h('button', { type: 'submit', class: 'button' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      location.hash = `#${await create(input.value)}`;
    } catch (e) {
      setError(e);
      input.focus();
    }
  });
  return form;
}
