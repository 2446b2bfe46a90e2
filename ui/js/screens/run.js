// Run mode: the current agenda item large and clear with its countdown, the controls a
// facilitator needs in the room, and capture of reflections, actions and observations
// without leaving it.

import { api } from '../api.js';
import { fill, h, link } from '../dom.js';
import { minutes as formatMinutes, plural } from '../format.js';
import { ReflectionWriter } from '../capture.js';
import { errorMessage, notify, saving } from '../feedback.js';
import { field } from '../fields.js';
import { phonesFor, phonesPanel, projectAnswer, projectedAnswers, stopPhones } from './phones.js';

const LEVELS = {
  plenty: { text: 'On time', mark: '●' },
  low: { text: 'Less than a fifth of the time left', mark: '◐' },
  critical: { text: 'Nearly out of time', mark: '▲' },
  over: { text: 'Over time', mark: '■' },
};

export function clockText(seconds) {
  const s = Math.abs(seconds);
  const text = `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
  return seconds < 0 ? `+${text}` : text;
}

let ticker = null;
let phones = null;

/** Stops run mode's ticking, and phone answers, when another screen is shown. */
export function leaveRun() {
  clearInterval(ticker);
  ticker = null;
  document.body.classList.remove('run-mode');
  if (phones) {
    phones.closeProjector?.();
    stopPhones(phones).catch(() => {});
    phones = null;
  }
}

/**
 * Run mode's state, passed to each part: the session (`detail`, `id`), its people, the run
 * as the core last said (`state`), the stage and table it is drawn in, the reflection panel's
 * parts and phone answers.
 */
function runView(detail, cohort) {
  return {
    detail,
    id: detail.session.id,
    cohort,
    state: null,
    stageKey: null,
    stage: h('section', { class: 'stage', 'aria-label': 'Current item' }),
    table: h('div'),
    reflections: null,
    phones: null,
  };
}

async function tick(view) {
  try {
    view.state = await api.runState(view.id);
    renderStage(view);
    renderTable(view);
  } catch (error) {
    fill(view.stage, errorMessage(error));
  }
}

async function press(view, action, minutes) {
  try {
    view.state = await saving(api.runPress(view.id, action, minutes));
    renderStage(view);
    renderTable(view);
    if (view.reflections) followCurrent(view);
  } catch (error) {
    notify(error.message);
  }
}

function runButton(view, label, key, action, minutes, extra = {}) {
  return h('button', {
    type: 'button', class: 'button run-button', 'aria-keyshortcuts': key, ...extra,
    onclick: () => press(view, action, minutes),
  }, label, h('kbd', {}, key === 'Space' ? 'Space' : key));
}

/** Redraws the stage when what it shows changes; between presses only the clock moves, so
 * only the countdown is updated and keyboard focus stays where it is. Before the start and
 * after the finish nothing moves: the stage (and the Start button under the facilitator's
 * pointer) is left alone, so a click is never lost to a redraw. */
function renderStage(view) {
  const s = view.state;
  const shown = s.items[s.current ?? 0];
  const key = `${s.status}|${s.current}|${s.items.length}|${shown?.title ?? ''}|${s.items[s.current + 1]?.expected_start ?? ''}`;
  if (key === view.stageKey) {
    if (s.status !== 'not_started' && s.status !== 'finished') updateClock(view);
    return;
  }
  const focused = view.stage.contains(document.activeElement) ? document.activeElement.id : null;
  view.stageKey = key;
  drawStage(view);
  if (focused) {
    const again = document.getElementById(focused);
    (again && !again.disabled ? again : view.stage.querySelector('button:not([disabled])'))?.focus();
  }
}

function updateClock(view) {
  const s = view.state;
  const item = s.items[s.current];
  const level = LEVELS[s.time_left];
  const paused = s.status === 'paused';
  const total = item.allowed_seconds || 1;
  const used = Math.min(100, Math.max(0, Math.round(((total - Math.max(0, s.remaining_seconds)) / total) * 100)));
  view.stage.dataset.level = s.time_left;
  const countdown = view.stage.querySelector('.countdown');
  countdown.textContent = clockText(s.remaining_seconds);
  countdown.setAttribute('aria-label', s.remaining_seconds < 0 ? `${clockText(s.remaining_seconds)} over time` : `${clockText(s.remaining_seconds)} left`);
  const levelText = view.stage.querySelector('.time-level');
  levelText.dataset.level = s.time_left;
  fill(levelText, h('span', { 'aria-hidden': 'true' }, `${level.mark} `), paused ? 'Paused' : level.text);
  const progress = view.stage.querySelector('.progress');
  progress.setAttribute('aria-valuenow', String(used));
  // Set through the CSSOM: the content security policy allows no inline style attributes.
  progress.firstChild.style.width = `${used}%`;
}

function drawStage(view) {
  const s = view.state;
  const button = (...args) => runButton(view, ...args);
  delete view.stage.dataset.level;
  if (s.status === 'not_started') {
    fill(view.stage,
      h('p', { class: 'stage-label' }, 'Not started'),
      h('p', { class: 'stage-title' }, s.items[0]?.title ?? 'No agenda yet'),
      h('div', { class: 'run-controls' }, button('Start the session', 'S', 'start', null, { id: 'run-start', disabled: s.items.length ? null : true })));
    return;
  }
  if (s.status === 'finished') {
    fill(view.stage,
      h('p', { class: 'stage-label' }, 'Finished'),
      h('p', { class: 'stage-title' }, 'The session has finished'),
      h('p', {}, 'How it ran against the plan is in the table below and on the session’s page.'));
    return;
  }
  const item = s.items[s.current];
  const next = s.items[s.current + 1];
  const paused = s.status === 'paused';
  fill(view.stage,
    h('p', { class: 'stage-label' }, `Item ${s.current + 1} of ${s.items.length}`, paused ? ' · Paused' : ''),
    h('h2', { class: 'stage-title', id: 'run-current', 'data-testid': 'run-current' }, item.title),
    h('p', { class: 'countdown', 'data-testid': 'countdown' }),
    h('p', { class: 'time-level', 'data-testid': 'time-level' }),
    h('div', { class: 'progress', role: 'progressbar', 'aria-label': 'Time used', 'aria-valuemin': '0', 'aria-valuemax': '100' },
      h('div', { class: 'progress-bar' })),
    item.prompt ? h('p', { class: 'stage-prompt' }, h('strong', {}, 'Prompt: '), item.prompt) : null,
    h('div', { class: 'run-controls' },
      button('Previous', 'P', 'previous', null, { id: 'run-previous', disabled: s.current === 0 ? true : null }),
      paused ? button('Resume', 'Space', 'resume', null, { id: 'run-resume' }) : button('Pause', 'Space', 'pause', null, { id: 'run-pause' }),
      button('+1 min', '1', 'extend', 1, { id: 'run-extend-1' }),
      button('+5 min', '5', 'extend', 5, { id: 'run-extend-5' }),
      next ? button('Next', 'N', 'next', null, { id: 'run-next' }) : button('Finish', 'N', 'finish', null, { id: 'run-finish' })),
    h('p', { class: 'up-next', 'data-testid': 'up-next' }, next ? ['Up next: ', h('strong', {}, next.title), next.expected_start ? ` at about ${next.expected_start}` : ''] : 'This is the last item.'));
  updateClock(view);
}

function renderTable(view) {
  const s = view.state;
  const over = (i) => {
    if (i.over_seconds === null || i.over_seconds === undefined) return '';
    const m = Math.round(i.over_seconds / 60);
    if (m === 0) return 'on time';
    return m > 0 ? `${m} min over` : `${-m} min under`;
  };
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' }) : '—');
  const planned = view.detail.timetable.items;
  fill(view.table, h('table', { class: 'table run-table', 'data-testid': 'run-table' },
    h('caption', {}, 'Planned against actual'),
    h('thead', {}, h('tr', {}, ['Item', 'Planned', 'Started', 'Ran for', 'Against plan', 'Now expected'].map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, s.items.map((i, n) => h('tr', { class: n === s.current ? 'selected' : '' },
      h('td', {}, i.title),
      h('td', { class: 'time' }, planned[n] ? `${planned[n].start} · ${formatMinutes(i.planned_minutes)}` : formatMinutes(i.planned_minutes)),
      h('td', { class: 'time' }, time(i.actual_start)),
      h('td', {}, i.actual_start ? formatMinutes(Math.round(i.elapsed_seconds / 60)) : '—'),
      h('td', { 'data-testid': 'against-plan' }, over(i)),
      h('td', { class: 'time' }, n > (s.current ?? Infinity) ? (i.expected_start ?? '—') : ''))))));
}

/** Run mode's keys do the same whatever has focus, unless the facilitator is typing:
 * Space never "presses" the focused button (that could add time or skip an item). */
function runKeys(view, event) {
  if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) return;
  const s = view.state;
  if (!s) return;
  const next = s.items[s.current + 1] ? 'next' : 'finish';
  const map = { s: 'start', S: 'start', n: next, N: next, p: 'previous', P: 'previous', 1: 'extend', 5: 'extend', ' ': s.status === 'paused' ? 'resume' : 'pause' };
  const action = map[event.key];
  if (!action) return;
  event.preventDefault();
  event.stopPropagation();
  if (event.repeat) return;
  press(view, action, action === 'extend' ? Number(event.key) : null);
}

/** Typing in a field, where keys are letters and spaces, not commands. */
function typing(event) {
  return !!event.target.closest?.('input, textarea, select, [contenteditable="true"]');
}

/** A focused button is "clicked" when Space is released: in run mode Space has already acted. */
function swallowSpaceRelease(event) {
  if (event.key === ' ' && !typing(event)) {
    event.preventDefault();
    event.stopPropagation();
  }
}

// ---- Capturing reflections in the room: Enter saves and the next one starts. The panel's
// parts and the writer of the reflection in the box are `view.reflections`.

function reflectionParts(view) {
  const panel = {
    count: h('p', { class: 'count', role: 'status', 'data-testid': 'reflection-count' }),
    list: h('ol', { class: 'captured', 'aria-label': 'Reflections captured', reversed: true }),
    status: h('p', { class: 'hint', 'aria-live': 'polite' }),
    who: h('select', { id: 'reflection-who' },
      h('option', { value: '' }, 'Anonymous'),
      view.cohort.map((p) => h('option', { value: p.id }, p.name))),
    prompt: h('select', { id: 'reflection-prompt' },
      h('option', { value: '' }, 'Free reflection'),
      view.detail.timetable.items.filter((t) => t.item.prompt).map((t) => h('option', { value: t.item.id }, `${t.item.title}: ${t.item.prompt}`))),
    box: h('textarea', { id: 'reflection-text', rows: 3, 'aria-describedby': 'reflection-hint' }),
    writer: null,
    promptTouched: false,
  };
  view.reflections = panel;
  panel.box.addEventListener('input', () => panel.writer.changed(panel.box.value));
  panel.box.addEventListener('keydown', async (event) => {
    if (event.key !== 'Enter' || event.shiftKey) return;
    event.preventDefault();
    await finishReflection(view);
  });
  panel.who.addEventListener('change', () => restartReflection(view));
  panel.prompt.addEventListener('change', () => restartReflection(view));
  panel.prompt.addEventListener('change', () => { panel.promptTouched = true; });
  newWriter(view);
  return panel;
}

/** What a reflection written now is about: who, and which prompt. */
function reflectionBase(view) {
  const { prompt, who } = view.reflections;
  const itemId = prompt.value || null;
  const timed = view.detail.timetable.items.find((t) => t.item.id === itemId);
  return { session_id: view.id, agenda_item_id: itemId, participant_id: who.value || null, prompt: timed?.item.prompt ?? '' };
}

/** The box writes a new reflection (or, given `reflection`, changes that one). */
function newWriter(view, reflection = null) {
  const panel = view.reflections;
  panel.writer = new ReflectionWriter(reflection ? { ...reflectionBase(view), prompt: reflection.prompt } : reflectionBase(view));
  if (reflection) {
    panel.writer.id = reflection.id;
    panel.writer.lastText = reflection.text;
  }
  panel.writer.onSaved = () => { panel.status.textContent = 'Saved'; };
  panel.writer.onError = (e) => { panel.status.textContent = `Not saved: ${e.message}`; };
}

/** The box is about to be used for someone or something else: keep what is there. */
async function restartReflection(view) {
  const panel = view.reflections;
  await panel.writer.save(panel.box.value);
  if (panel.box.value.trim()) await refreshReflections(view);
  panel.box.value = '';
  newWriter(view);
}

async function finishReflection(view) {
  const panel = view.reflections;
  if (!panel.box.value.trim()) return;
  await panel.writer.save(panel.box.value);
  panel.box.value = '';
  newWriter(view);
  await refreshReflections(view);
  panel.box.focus();
}

/** Follows the item being run, unless the facilitator chose a prompt. */
function followCurrent(view) {
  const panel = view.reflections;
  const s = view.state;
  if (panel.promptTouched || !s || s.current === null || s.current === undefined) return;
  const item = s.items[s.current];
  const value = item.prompt ? item.item_id : '';
  if (panel.prompt.value !== value && !panel.box.value.trim()) {
    panel.prompt.value = value;
    newWriter(view);
  }
}

async function refreshReflections(view) {
  const panel = view.reflections;
  const reflections = await api.listReflections(view.id);
  const names = new Map(view.cohort.map((p) => [p.id, p.name]));
  panel.count.textContent = plural(reflections.length, 'reflection');
  const projected = view.phones ? projectedAnswers(view.phones) : new Set();
  const phoneOn = !!view.phones?.view;
  fill(panel.list, reflections.slice(0, 8).map((r) => h('li', { 'data-testid': 'captured-reflection', 'data-from': r.sent_from ?? 'laptop' },
    h('span', { class: 'captured-text' }, r.text),
    h('span', { class: 'muted' }, ` — ${names.get(r.participant_id) ?? 'anonymous'} `),
    r.sent_from === 'phone' ? [h('span', { class: 'badge' }, 'from a phone'), ' '] : null,
    r.sent_from === 'phone' && phoneOn ? [projectButton(view, r, projected.has(r.id)), ' '] : null,
    r.sent_from === 'phone' ? [h('button', { type: 'button', class: 'link-button', 'aria-label': `Delete the answer “${r.text.slice(0, 40)}”`, onclick: () => deleteAnswer(view, r) }, 'Delete'), ' '] : null,
    h('button', { type: 'button', class: 'link-button', 'aria-label': `Edit the reflection “${r.text.slice(0, 40)}”`, onclick: () => editReflection(view, r) }, 'Edit'),
    ' ',
    h('button', { type: 'button', class: 'link-button', 'aria-label': `Earlier wordings of “${r.text.slice(0, 40)}”`, onclick: (event) => earlierWordings(r, event.target) }, 'Earlier wordings'))));
}

function projectButton(view, reflection, shown) {
  const label = shown ? 'Hide from the projector' : 'Show on the projector';
  return h('button', {
    type: 'button', class: 'link-button', 'aria-pressed': shown ? 'true' : 'false',
    'aria-label': `${label}: “${reflection.text.slice(0, 40)}”`,
    onclick: async () => {
      try {
        await projectAnswer(view.phones, reflection.id, !shown);
        await refreshReflections(view);
      } catch (e) {
        notify(e.message);
      }
    },
  }, label);
}

/** Deletes an answer sent from a phone, with Undo. */
async function deleteAnswer(view, reflection) {
  try {
    await saving(api.remove('reflection', reflection.id));
    await refreshReflections(view);
    notify('Answer deleted.', async () => {
      await saving(api.restore('reflection', reflection.id)).catch((e) => notify(e.message));
      await refreshReflections(view);
    });
  } catch (e) {
    notify(e.message);
  }
}

/** Puts a saved reflection back in the box; typing changes it (its earlier wording is kept). */
async function editReflection(view, reflection) {
  const panel = view.reflections;
  await panel.writer.save(panel.box.value);
  panel.who.value = reflection.participant_id ?? '';
  panel.prompt.value = reflection.agenda_item_id ?? '';
  panel.promptTouched = true;
  newWriter(view, reflection);
  panel.box.value = reflection.text;
  panel.box.focus();
}

async function earlierWordings(reflection, button) {
  const versions = await api.earlierVersions('reflection', reflection.id);
  const list = versions.length
    ? h('ul', { class: 'earlier' }, versions.map((v) => h('li', {}, h('span', { class: 'muted' }, `${new Date(v.saved_at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })}: `), v.text)))
    : h('p', { class: 'muted' }, 'It has not been edited.');
  button.replaceWith(list);
}

function reflectionPanel(view) {
  const panel = view.reflections;
  refreshReflections(view);
  return h('section', { class: 'panel', 'aria-labelledby': 'reflections-heading' },
    h('h2', { id: 'reflections-heading' }, 'Reflections'),
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'reflection-who' }, 'Who'), panel.who),
      h('div', { class: 'field field-grow' }, h('label', { for: 'reflection-prompt' }, 'Prompt'), panel.prompt)),
    h('div', { class: 'field' },
      h('label', { for: 'reflection-text' }, 'Reflection'),
      h('span', { class: 'hint', id: 'reflection-hint' }, 'Saved as you type. Enter starts the next one; Shift+Enter for a new line.'),
      panel.box),
    panel.status, panel.count, panel.list);
}

/** A quick-capture form: what is typed is added, the box emptied for the next, the list redrawn. */
function whenSubmitted(form, text, add, refresh) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      await saving(add(text.value));
      text.value = '';
      await refresh();
      text.focus();
    } catch (e) {
      notify(e.message);
    }
  });
  return form;
}

function actionsPanel(view) {
  const who = h('select', { id: 'action-who' }, h('option', { value: '' }, 'The whole group'), view.cohort.map((p) => h('option', { value: p.id }, p.name)));
  const text = h('input', { id: 'action-text', type: 'text', autocomplete: 'off' });
  const list = h('ul', { class: 'captured', 'aria-label': 'Actions made at this session' });
  const names = new Map(view.cohort.map((p) => [p.id, p.name]));
  const refresh = async () => {
    const actions = await api.listActions(view.id);
    fill(list, actions.map((a) => h('li', {}, a.text, h('span', { class: 'muted' }, ` — ${names.get(a.participant_id) ?? 'the group'}`))));
  };
  refresh();
  return whenSubmitted(h('form', { class: 'panel', 'aria-labelledby': 'actions-heading' },
    h('h2', { id: 'actions-heading' }, 'Actions'),
    h('p', { class: 'hint' }, 'What each person will do differently. Open actions come back at the cohort’s next session.'),
    h('div', { class: 'field-row' },
      h('div', { class: 'field' }, h('label', { for: 'action-who' }, 'Who'), who),
      h('div', { class: 'field field-grow' }, h('label', { for: 'action-text' }, 'Action'), text)),
    h('button', { type: 'submit', class: 'button button-secondary' }, 'Add action'),
    list), text, (typed) => api.addAction(view.id, who.value || null, typed), refresh);
}

function observationsPanel(view, notes) {
  const running = field({
    label: 'Your notes for this session', multiline: true, rows: 4, value: notes.note?.text ?? '',
    hint: 'Saved as you type.', save: (value) => api.saveSessionNote(view.id, value), attrs: { id: 'session-note' },
  });
  const text = h('input', { id: 'observation-text', type: 'text', autocomplete: 'off' });
  const list = h('ul', { class: 'captured', 'aria-label': 'Observations' });
  const refresh = async () => {
    const notes = await api.sessionNotes(view.id);
    fill(list, notes.observations.map((o) => h('li', {},
      h('span', { class: 'time' }, new Date(o.observed_at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })), ' ', o.text)));
  };
  refresh();
  return whenSubmitted(h('form', { class: 'panel', 'aria-labelledby': 'observations-heading' },
    h('h2', { id: 'observations-heading' }, 'Notes and observations'),
    running.wrapper,
    h('div', { class: 'field' }, h('label', { for: 'observation-text' }, 'A quick observation, stamped with the time'), text),
    h('button', { type: 'submit', class: 'button button-secondary' }, 'Note it'),
    list), text, (typed) => api.addObservation(view.id, typed), refresh);
}

/** Actions from the cohort's earlier sessions, to ask about now. */
export function followUpPanel(followUps) {
  return h('section', { class: 'panel', 'aria-labelledby': 'follow-up-heading' },
    h('h2', { id: 'follow-up-heading' }, 'Actions to follow up'),
    h('p', { class: 'hint' }, 'Commitments made at earlier sessions of this cohort. Ask how they went.'),
    h('ul', { class: 'follow-ups' }, followUps.map(({ action, participant, from_session: from }) => {
      const status = h('select', { id: `follow-status-${action.id}`, 'aria-label': `How “${action.text}” went` },
        [['open', 'Still open'], ['done', 'Done'], ['dropped', 'Dropped']].map(([v, t]) => h('option', { value: v, selected: action.status === v ? true : null }, t)));
      status.addEventListener('change', () => saving(api.update('action', action.id, { status: status.value })).catch((e) => notify(e.message)));
      return h('li', { 'data-testid': 'follow-up' },
        h('p', {}, h('strong', {}, participant ?? 'The group'), `: ${action.text} `, h('span', { class: 'muted' }, `(from ${from})`)),
        h('div', { class: 'field-row' },
          h('div', { class: 'field' }, h('label', { for: `follow-status-${action.id}` }, 'Now'), status),
          field({ label: 'What happened', value: action.follow_up, save: (value) => api.update('action', action.id, { follow_up: value }), attrs: { id: `follow-note-${action.id}` } }).wrapper));
    })));
}

export async function runScreen(id) {
  const detail = await api.getSession(id);
  const cohort = detail.version ? await api.cohort(detail.version.id) : (await api.attendanceSheet(id)).map((l) => l.participant);
  const [notes, followUps] = await Promise.all([api.sessionNotes(id), api.actionsToFollowUp(id)]);
  const view = runView(detail, cohort);
  reflectionParts(view);
  await tick(view);
  renderTable(view);
  leaveRun();
  phones = phonesFor(id, { onAnswers: () => refreshReflections(view) });
  view.phones = phones;
  document.body.classList.add('run-mode');
  ticker = setInterval(() => tick(view), 500);
  const keys = (event) => runKeys(view, event);
  // Capturing, so the key is handled before the focused element sees it.
  document.addEventListener('keydown', keys, true);
  document.addEventListener('keyup', swallowSpaceRelease, true);
  window.addEventListener('hashchange', () => {
    document.removeEventListener('keydown', keys, true);
    document.removeEventListener('keyup', swallowSpaceRelease, true);
    leaveRun();
  }, { once: true });
  followCurrent(view);

  return {
    title: `Running ${detail.session.title}`,
    place: 'programmes',
    node: h('div', { class: 'run' },
      h('div', { class: 'run-bar' },
        h('h1', {}, detail.session.title),
        h('p', {}, link(`/sessions/${id}`, 'Leave run mode'), ' · ',
          link(`/sessions/${id}/attendance`, 'Attendance'), ' · ',
          h('a', { href: `#/sessions/${id}/capture`, id: 'hand-round' }, 'Hand the laptop round for reflections'))),
      // The clock stays in view beside the capture panels, which keep a fixed, readable width.
      h('div', { class: 'run-layout' },
        h('div', { class: 'run-left' },
          view.stage,
          h('p', { class: 'hint run-keys' }, 'Keys, wherever the focus is (except while typing): ', h('kbd', {}, 'S'), ' start, ', h('kbd', {}, 'N'), ' next, ', h('kbd', {}, 'P'), ' previous, ', h('kbd', {}, 'Space'), ' pause or resume, ', h('kbd', {}, '1'), ' and ', h('kbd', {}, '5'), ' add minutes.'),
          followUps.length ? followUpPanel(followUps) : null),
        // The reflection box first, so it stays beside the clock on a small screen.
        h('div', { class: 'run-side' }, reflectionPanel(view), phonesPanel(phones), actionsPanel(view), observationsPanel(view, notes))),
      view.table),
    focus: view.stage.querySelector('button'),
  };
}
