// The Export panel on a session or a version: who the notes are for and in which format,
// then the system's save dialog.

import { api } from './api.js';
import { choices, pairs } from './choices.js';
import { fill, h } from './dom.js';
import { errorMessage, notify } from './feedback.js';

export function exportPanel(scope, what) {
  const audience = (value, label, hint, checked) => h('div', { class: 'radio' },
    h('input', { type: 'radio', name: 'export-audience', id: `export-${value}`, value, checked: checked ? true : null, 'aria-describedby': `export-${value}-hint` }),
    h('span', {}, h('label', { for: `export-${value}` }, label), h('span', { class: 'hint', id: `export-${value}-hint` }, hint)));
  const format = h('select', { id: 'export-format' }, pairs(choices.export_formats).map(([v, t]) => h('option', { value: v }, t)));
  const bom = h('input', { type: 'checkbox', id: 'export-bom' });
  const bomField = h('div', { class: 'checkbox', hidden: true }, bom, h('label', { for: 'export-bom' }, 'For Excel (adds a marker so accents and symbols read right)'));
  format.addEventListener('change', () => { bomField.hidden = format.value !== 'csv'; });
  const result = h('p', { role: 'status', class: 'hint', 'data-testid': 'export-result' });
  const form = h('form', { class: 'panel export', 'aria-labelledby': 'export-heading' },
    h('h2', { id: 'export-heading' }, `Export ${what}`),
    h('fieldset', {},
      h('legend', {}, 'Who it is for'),
      audience('facilitator', 'Facilitator notes', 'agenda with planned and actual times, attendance, every reflection, actions and your notes.', true),
      audience('participant', 'Participant handout', 'agenda, exercises, prompts, and only reflections people agreed to have quoted. No notes, no attendance.', false)),
    h('div', { class: 'field' }, h('label', { for: 'export-format' }, 'Format'), format),
    bomField,
    h('p', { class: 'actions' },
      h('button', { type: 'submit', class: 'button', id: 'export-button' }, 'Export…'),
      h('button', { type: 'button', class: 'button button-secondary', id: 'export-pdf', onclick: () => printNotes(true) }, 'Save as PDF…'),
      h('button', { type: 'button', class: 'button button-secondary', id: 'export-print', onclick: () => printNotes(false) }, 'Print…')),
    result);
  // The print-ready page, as a PDF file (no print dialog) or through the system's print dialog.
  async function printNotes(pdf) {
    const chosen = form.querySelector('input[name="export-audience"]:checked').value;
    fill(result, pdf ? 'Making the PDF…' : 'Opening the print dialog…');
    try {
      const path = await api.printNotes(scope, chosen, pdf);
      if (path && pdf) {
        fill(result, 'Saved to ', h('code', { 'data-testid': 'export-path' }, path));
        notify('The PDF is saved.');
      } else if (path) {
        fill(result, 'Sent to the printer.');
      } else {
        fill(result, pdf ? 'Nothing was saved.' : 'Nothing was printed.');
      }
    } catch (e) {
      fill(result, errorMessage(e, 'span'));
    }
  }
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = form.querySelector('input[name="export-audience"]:checked').value;
    fill(result, 'Preparing the file…');
    try {
      const path = await api.exportNotes(scope, chosen, format.value, format.value === 'csv' && bom.checked);
      if (path) {
        fill(result, 'Saved to ', h('code', { 'data-testid': 'export-path' }, path));
        notify('The notes are saved.');
      } else {
        fill(result, 'Nothing was saved.');
      }
    } catch (e) {
      fill(result, errorMessage(e, 'span'));
    }
  });
  return form;
}
