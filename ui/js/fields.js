// Form fields that save themselves: labels above inputs, hints, inline errors, and nothing
// typed ever lost (a failed save keeps the text and says why).

import { fill, h } from './dom.js';
import { errorMessage, refused, resolved, saving } from './feedback.js';
import { DATE_HINT, TIME_HINT, dateText, readDate, readTime } from './dates.js';

let counter = 0;
let attempts = 0;

const TYPED = {
  date: { show: dateText, read: readDate, hint: DATE_HINT, cls: 'date-input' },
  time: { show: (v) => v ?? '', read: readTime, hint: TIME_HINT, cls: 'time-input' },
};

/**
 * The one way a field is laid out, for fields that save themselves and for forms submitted
 * as a whole: a label above `input`, a hint, and a place for a problem beside it.
 * `setError(problem)` shows a problem (a message or a refusal) or, with null, clears it,
 * keeping aria-invalid and aria-describedby in step.
 */
export function labelled({ id, label, hint, input }) {
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  input.id = id;
  const describe = (...ids) => {
    const by = ids.filter(Boolean).join(' ');
    if (by) input.setAttribute('aria-describedby', by);
    else input.removeAttribute('aria-describedby');
  };
  describe(hintId);
  const error = h('div', { class: 'field-error-slot' });
  const wrapper = h('div', { class: 'field' },
    h('label', { for: id }, label),
    hint ? h('span', { class: 'hint', id: hintId }, hint) : null,
    error, input);
  const setError = (problem) => {
    wrapper.classList.toggle('field-invalid', !!problem);
    if (problem) {
      const message = errorMessage(problem);
      message.id = errorId;
      fill(error, message);
      input.setAttribute('aria-invalid', 'true');
      describe(hintId, errorId);
    } else {
      fill(error);
      input.removeAttribute('aria-invalid');
      describe(hintId);
    }
  };
  return { wrapper, input, setError };
}

/**
 * A labelled field. `save(value)` is called a moment after typing stops and when the field
 * is left; `read(input)` turns the input's text into the value to save.
 */
export function field({ label, hint, value, type = 'text', multiline = false, rows = 3, options, save, read, required = false, attrs = {} }) {
  const id = attrs.id ?? `field-${++counter}`;
  // Dates and times are text typed the British way; the core keeps them as ISO text.
  const typed = TYPED[type];
  if (typed) {
    type = 'text';
    value = typed.show(value);
    hint = hint ? `${typed.hint}. ${hint}` : typed.hint;
    read ??= (input) => {
      const parsed = typed.read(input.value);
      if (parsed === null && required) throw { message: `${label} is needed: ${typed.hint.toLowerCase()}. Nothing has been changed.` };
      return parsed;
    };
    attrs = { autocomplete: 'off', spellcheck: 'false', class: typed.cls, ...attrs };
  }
  let input;
  if (options) {
    input = h('select', attrs,
      options.map(([v, text]) => h('option', { value: v, selected: v === value ? true : null }, text)));
  } else if (multiline) {
    input = h('textarea', { rows, ...attrs });
    input.value = value ?? '';
  } else {
    input = h('input', { type, ...attrs });
    input.value = value ?? '';
  }
  const { wrapper, setError } = labelled({ id, label, hint, input });

  let timer;
  let lastSaved = input.value;
  // The text being saved now: leaving a field fires both 'change' and 'blur', and the second
  // must not save the same text again.
  let inFlight = null;
  // This field's saves reach the core one after another, in the order they were made, so a
  // slow save of earlier text can never land after a later one and put the earlier text back.
  let queue = Promise.resolve();
  const status = { key: id, label, element: input };
  const showError = (e) => setError(e);
  const clearError = () => {
    setError(null);
    resolved(id);
  };
  const flush = async () => {
    clearTimeout(timer);
    if (!save) return;
    const text = input.value;
    // Put back as it was saved: nothing is unsaved any more.
    if (text === lastSaved) {
      clearError();
      return;
    }
    if (text === inFlight) return;
    // Each attempt is numbered, so a slow save of earlier text cannot overrule what became
    // of later text in the status line (see feedback.js).
    const attempt = { ...status, seq: ++attempts };
    let parsed;
    try {
      parsed = read ? read(input) : text;
    } catch (e) {
      showError(e);
      refused(attempt);
      return;
    }
    inFlight = text;
    const saved = queue.then(() => save(parsed));
    queue = saved.catch(() => {});
    try {
      await saving(saved, attempt);
      lastSaved = text;
      if (input.value === text) clearError();
    } catch (e) {
      if (input.value === text) showError(e);
    } finally {
      if (inFlight === text) inFlight = null;
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

/** A whole number from a number input, or a clear error. Without `min` and `max` only the
 * form is checked here; the core keeps the range (for an agenda item's length, say). */
export function wholeNumber(what, { min = 0, max } = {}) {
  return (input) => {
    const text = input.value.trim();
    const n = Number(text);
    if (text === '' || !Number.isInteger(n) || n < min || (max !== undefined && n > max)) {
      const range = max !== undefined ? ` from ${min} to ${max}` : '';
      throw { message: `${what} must be a whole number${range}, such as 15. Nothing has been changed.` };
    }
    return n;
  };
}

/** Empty text as null (for optional dates and times). */
export function optional(input) {
  const text = input.value.trim();
  return text === '' ? null : text;
}
