// Telling the facilitator what happened: the "Saved" line, and a short notice with Undo.

import { fill, h } from './dom.js';

let saveStatus;
let pending = 0;

function statusElement() {
  saveStatus ??= document.getElementById('save-status');
  return saveStatus;
}

/** Runs a save and keeps the "Saving…/Saved" line in step with it. */
export async function saving(promise) {
  const status = statusElement();
  pending += 1;
  status.textContent = 'Saving…';
  status.dataset.state = 'saving';
  try {
    const result = await promise;
    pending -= 1;
    if (!pending) {
      status.textContent = `Saved at ${new Date().toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}`;
      status.dataset.state = 'saved';
    }
    return result;
  } catch (error) {
    pending -= 1;
    status.textContent = 'Not saved: see the message on the page';
    status.dataset.state = 'error';
    throw error;
  }
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

/** An error message beside what caused it, announced to screen readers. */
export function errorMessage(error) {
  return h('p', { class: 'field-error', role: 'alert' }, error?.message ?? String(error));
}
