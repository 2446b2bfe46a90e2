// Form fields that save themselves: labels above inputs, hints, inline errors, and nothing
// typed ever lost (a failed save keeps the text and says why).

import { fill, h } from './dom.js';
import { errorMessage, saving } from './feedback.js';

let counter = 0;

/**
 * A labelled field. `save(value)` is called a moment after typing stops and when the field
 * is left; `read(input)` turns the input's text into the value to save.
 */
export function field({ label, hint, value, type = 'text', multiline = false, rows = 3, options, save, read, attrs = {} }) {
  const id = attrs.id ?? `field-${++counter}`;
  const hintId = hint ? `${id}-hint` : null;
  let input;
  if (options) {
    input = h('select', { id, 'aria-describedby': hintId, ...attrs },
      options.map(([v, text]) => h('option', { value: v, selected: v === value ? true : null }, text)));
  } else if (multiline) {
    input = h('textarea', { id, rows, 'aria-describedby': hintId, ...attrs });
    input.value = value ?? '';
  } else {
    input = h('input', { id, type, 'aria-describedby': hintId, ...attrs });
    input.value = value ?? '';
  }
  const error = h('div', { class: 'field-error-slot' });
  const wrapper = h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    error, input);

  let timer;
  let lastSaved = input.value;
  const flush = async () => {
    clearTimeout(timer);
    if (!save || input.value === lastSaved) return;
    const text = input.value;
    try {
      const parsed = read ? read(input) : text;
      await saving(save(parsed));
      lastSaved = text;
      fill(error);
      wrapper.classList.remove('field-invalid');
      input.removeAttribute('aria-invalid');
    } catch (e) {
      fill(error, errorMessage(e));
      wrapper.classList.add('field-invalid');
      input.setAttribute('aria-invalid', 'true');
    }
  };
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(flush, 500); });
  input.addEventListener('change', flush);
  input.addEventListener('blur', flush);
  return { wrapper, input, flush };
}

/** Lines of a textarea as a list, blank lines left out. */
export function lines(input) {
  return input.value.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** A whole number from a number input, or a clear error. */
export function wholeNumber(what, { min = 0, max = 100000 } = {}) {
  return (input) => {
    const text = input.value.trim();
    const n = Number(text);
    if (text === '' || !Number.isInteger(n) || n < min || n > max) {
      throw { message: `${what} must be a whole number from ${min} to ${max}.` };
    }
    return n;
  };
}

/** Empty text as null (for optional dates and times). */
export function optional(input) {
  const text = input.value.trim();
  return text === '' ? null : text;
}
