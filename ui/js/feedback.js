// Telling the facilitator what happened: the "Saved" line, and a short notice with Undo.

import { fill, h } from './dom.js';

let saveStatus;
let pending = 0;
let savedAt = null;
// Fields whose last change was refused, by key: the status says "Not saved" while any is left.
const problems = new Map();
// A refused action that belongs to no field (a button): shown until the next save or screen.
let failedAction = false;

function statusElement() {
  saveStatus ??= document.getElementById('save-status');
  return saveStatus;
}

// For each field, the numbered attempt (`seq`) whose outcome the status shows: an earlier
// attempt that settles later (a slow save of text since changed) is ignored.
const settled = new Map();

/** True when `field`'s attempt is the latest of its field to settle, and records it. */
function latest(field) {
  if (field.seq === undefined) return true;
  if ((settled.get(field.key) ?? 0) > field.seq) return false;
  settled.set(field.key, field.seq);
  return true;
}

/** Writes the status line from what is actually saved and what is not. */
function showStatus() {
  const status = statusElement();
  for (const [key, problem] of problems) if (!problem.element?.isConnected) problems.delete(key);
  if (problems.size) {
    const labels = [...problems.values()].map((p) => `“${p.label}”`);
    status.textContent = problems.size === 1
      ? `Not saved: ${labels[0]}. See the message beside it.`
      : `${problems.size} changes not saved: ${labels.join(', ')}. See the messages beside them.`;
    status.dataset.state = 'error';
  } else if (failedAction) {
    status.textContent = 'Not saved: see the message on the page';
    status.dataset.state = 'error';
  } else if (pending) {
    status.textContent = 'Saving…';
    status.dataset.state = 'saving';
  } else {
    status.textContent = savedAt ? `Saved at ${savedAt}` : 'All changes are saved';
    status.dataset.state = 'saved';
  }
}

/**
 * Runs a save and keeps the status line in step with it. `field` ({ key, label, element })
 * ties the save to a field on the page, so a refusal is remembered until that field is
 * saved, put back as it was, or leaves the page.
 */
export async function saving(promise, field) {
  pending += 1;
  showStatus();
  try {
    const result = await promise;
    pending -= 1;
    savedAt = new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
    failedAction = false;
    if (field && latest(field)) problems.delete(field.key);
    showStatus();
    return result;
  } catch (error) {
    pending -= 1;
    if (!field) failedAction = true;
    else if (latest(field)) problems.set(field.key, field);
    showStatus();
    throw error;
  }
}

/** A field's change was refused before it reached the core (it could not be read). */
export function refused(field) {
  if (latest(field)) problems.set(field.key, field);
  showStatus();
}

/** A field holds what is saved again. */
export function resolved(key) {
  if (problems.delete(key)) showStatus();
}

/** Another screen is shown: refusals of fields no longer on the page are over. */
export function screenChanged() {
  failedAction = false;
  showStatus();
}

let toastTimer;

/** A short notice at the foot of the window, with an optional Undo. */
export function notify(message, undo) {
  const toast = document.getElementById('toast');
  clearTimeout(toastTimer);
  const children = [h('span', {}, message)];
  if (undo) {
    children.push(h('button', {
      type: 'button', class: 'button button-secondary', id: 'toast-undo',
      onclick: async () => { fill(toast); toast.hidden = true; await undo(); },
    }, 'Undo'));
  }
  children.push(h('button', { type: 'button', class: 'link-button', 'aria-label': 'Dismiss', onclick: () => { toast.hidden = true; } }, '✕'));
  fill(toast, ...children);
  toast.hidden = false;
  toastTimer = setTimeout(() => { toast.hidden = true; }, undo ? 15000 : 6000);
}

/**
 * An error message beside what caused it, announced to screen readers: a paragraph, or with
 * tag 'span' a message inside a line.
 */
export function errorMessage(error, tag = 'p') {
  return h(tag, { class: 'field-error', role: 'alert' }, error?.message ?? String(error));
}
