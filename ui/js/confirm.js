// Asking before something that cannot be undone: focus starts on Cancel, Escape cancels, and
// the most serious steps are only possible after typing a name, so no slip of a key can do them.

import { fill, h } from './dom.js';
import { errorMessage } from './feedback.js';

let counter = 0;

/**
 * Shows a confirmation in `area`. `opener` gets focus back when it is cancelled.
 * `confirmText`, when given, must be typed (in any case, spaces around it ignored) before
 * the button works. `act()` runs when confirmed; an error it throws is shown in the box.
 */
export function confirmation({ area, opener, title, lines = [], button, id, confirmText, act }) {
  const n = ++counter;
  const problem = h('div');
  const typed = confirmText
    ? h('input', { type: 'text', id: `${id}-typed`, autocomplete: 'off', spellcheck: 'false', 'aria-describedby': `confirm-${n}-hint` })
    : null;
  const go = h('button', { type: 'button', class: 'button button-warning', id, 'aria-disabled': confirmText ? 'true' : null }, button);
  const cancel = () => {
    fill(area);
    opener?.focus();
  };
  const matches = () => !typed || typed.value.trim().toLowerCase() === confirmText.trim().toLowerCase();
  const refuse = () => fill(problem, errorMessage({ message: `Type “${confirmText}” in the box first. Nothing has been changed.` }));
  typed?.addEventListener('input', () => {
    go.setAttribute('aria-disabled', String(!matches()));
    if (matches()) fill(problem);
  });
  typed?.addEventListener('keydown', (event) => {
    // Enter in the box never erases: the button has to be chosen on purpose.
    if (event.key === 'Enter') event.preventDefault();
  });
  go.addEventListener('click', async () => {
    if (!matches()) {
      refuse();
      typed.focus();
      return;
    }
    go.disabled = true;
    try {
      await act();
    } catch (e) {
      go.disabled = false;
      fill(problem, errorMessage(e));
    }
  });
  const cancelButton = h('button', { type: 'button', class: 'button button-secondary', id: `${id}-cancel`, onclick: cancel }, 'Cancel');
  const box = h('div', { class: 'notice-box danger confirm-box', role: 'alertdialog', 'aria-labelledby': `confirm-${n}-title`, 'aria-describedby': `confirm-${n}-body` },
    h('p', { id: `confirm-${n}-title` }, h('strong', {}, title)),
    h('div', { id: `confirm-${n}-body` }, lines.map((line) => (line instanceof Node ? line : h('p', {}, line)))),
    typed
      ? h('div', { class: 'field' },
        h('label', { for: `${id}-typed` }, `To confirm, type “${confirmText}”`),
        h('span', { class: 'hint', id: `confirm-${n}-hint` }, 'The button works only once the name matches.'),
        typed)
      : null,
    problem,
    h('div', { class: 'actions' }, go, cancelButton));
  box.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      cancel();
    }
  });
  fill(area, box);
  cancelButton.focus();
  return box;
}
