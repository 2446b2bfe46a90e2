// The participants' capture screen: full screen, only the prompt and an empty box, for a
// laptop passed round the room. Nobody's words or names are shown, and leaving needs the
// facilitator's code.

import { api } from '../api.js';
import { h } from '../dom.js';
import { ReflectionWriter } from '../capture.js';

function askForCode() {
  const input = h('input', { id: 'capture-code', type: 'password', inputmode: 'numeric', autocomplete: 'off', 'aria-describedby': 'capture-code-hint' });
  const form = h('form', { class: 'panel', 'aria-labelledby': 'capture-code-heading' },
    h('h2', { id: 'capture-code-heading' }, 'Before you hand the laptop round'),
    h('div', { class: 'field' },
      h('label', { for: 'capture-code' }, 'Choose a code to leave this screen'),
      h('span', { class: 'hint', id: 'capture-code-hint' }, 'Four or more characters. Only you will need it, to get back to Fieldbook.'),
      input),
    h('button', { type: 'submit', class: 'button' }, 'Start'));
  return { form, input };
}

export async function captureScreen(id) {
  const detail = await api.getSession(id);
  const state = await api.runState(id);
  const current = state.current !== null && state.current !== undefined ? detail.timetable.items[state.current]?.item : null;
  const withPrompt = detail.timetable.items.map((t) => t.item).filter((i) => i.prompt);
  const item = current?.prompt ? current : withPrompt[0] ?? null;
  const prompt = item?.prompt || 'What is one thing you are taking away from today?';

  const root = h('div', { class: 'capture' });
  const setup = askForCode();
  let code = null;

  const leave = async () => {
    await api.setFullScreen(false).catch(() => {});
    document.body.classList.remove('capture-mode');
    location.hash = `#/sessions/${id}/run`;
  };

  const start = () => {
    const writer = new ReflectionWriter({ session_id: id, agenda_item_id: item?.id ?? null, participant_id: null, prompt });
    let current = writer;
    const box = h('textarea', { id: 'capture-text', rows: 6, 'aria-labelledby': 'capture-prompt', 'aria-describedby': 'capture-hint' });
    const thanks = h('p', { class: 'capture-thanks', role: 'status', 'aria-live': 'polite' });
    box.addEventListener('input', () => current.changed(box.value));
    const save = async () => {
      if (!box.value.trim()) return;
      await current.save(box.value);
      box.value = '';
      current = new ReflectionWriter({ ...writer.base });
      thanks.textContent = 'Thank you. Your reflection is saved. Please pass the laptop on.';
      setTimeout(() => { thanks.textContent = ''; }, 4000);
      box.focus();
    };
    box.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); save(); }
    });
    const exitForm = h('form', { class: 'capture-exit', hidden: true },
      h('label', { for: 'capture-exit-code' }, 'Facilitator’s code'),
      h('input', { id: 'capture-exit-code', type: 'password', autocomplete: 'off' }),
      h('button', { type: 'submit', class: 'button button-secondary' }, 'Leave'),
      h('p', { class: 'field-error', id: 'capture-exit-error', hidden: true }, 'That is not the code.'));
    exitForm.addEventListener('submit', async (event) => {
      event.preventDefault();
      const typed = exitForm.querySelector('input');
      if (typed.value === code) {
        await current.save(box.value);
        await leave();
      } else {
        exitForm.querySelector('.field-error').hidden = false;
        typed.value = '';
        typed.focus();
      }
    });
    const showExit = () => { exitForm.hidden = false; exitForm.querySelector('input').focus(); };
    root.replaceChildren(
      h('h1', { id: 'capture-prompt', class: 'capture-prompt' }, prompt),
      box,
      h('p', { class: 'hint', id: 'capture-hint' }, 'Your words are saved without your name. Press Enter when you are done.'),
      h('button', { type: 'button', class: 'button capture-save', onclick: save }, 'Save my reflection'),
      thanks,
      h('button', { type: 'button', class: 'link-button capture-facilitator', onclick: showExit }, 'Facilitator'),
      exitForm);
    root.addEventListener('keydown', (event) => { if (event.key === 'Escape') showExit(); });
    box.focus();
  };

  setup.form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (setup.input.value.length < 4) {
      setup.input.setAttribute('aria-invalid', 'true');
      setup.form.querySelector('.hint').textContent = 'Use at least four characters, so nobody leaves this screen by chance.';
      return;
    }
    code = setup.input.value;
    document.body.classList.add('capture-mode');
    await api.setFullScreen(true).catch(() => {});
    start();
  });
  root.append(setup.form);
  return { title: 'Reflections', place: 'programmes', node: root, focus: setup.input };
}

/** True while the capture screen holds the window: other shortcuts stand down. */
export function capturing() {
  return document.body.classList.contains('capture-mode');
}
