// A session: its details and its agenda laid out in time, with the agenda builder: edit,
// add (also from the library), reorder by drag or keyboard, duplicate and delete with undo.

import { api } from '../api.js';
import { choices, pairs } from '../choices.js';
import { breadcrumbs, facts, fill, focusById, h, heading, link } from '../dom.js';
import { date, kind, minutes, plural } from '../format.js';
import { field, wholeNumber } from '../fields.js';
import { errorMessage, notify, saving } from '../feedback.js';
import { followUpPanel } from './run.js';
import { exportPanel } from '../export.js';


function summary(t) {
  const parts = [
    h('span', {}, 'Starts ', h('strong', { 'data-testid': 'session-start' }, t.start)),
    h('span', {}, 'Ends ', h('strong', { 'data-testid': 'session-end' }, t.end), t.ends_next_day ? ' (next day)' : ''),
    h('span', {}, 'Activity ', h('strong', { 'data-testid': 'session-total' }, minutes(t.total_minutes))),
  ];
  if (t.planned_end) parts.push(h('span', {}, 'Planned end ', h('strong', {}, t.planned_end)));
  // A clash with a fixed time shows here too, not only beside the fixed item.
  for (const timed of t.items.filter((x) => x.overrun_before > 0)) {
    parts.push(h('span', { class: 'summary-clash', 'data-testid': 'summary-clash' },
      `⚠ Runs ${minutes(timed.overrun_before)} past ${timed.item.pinned_time}, when “${timed.item.title}” is fixed`));
  }
  return h('div', { class: 'timeline-summary' }, parts);
}

/**
 * The session screen's state, passed to each part, so that saving one field never disturbs
 * another: the session as last read (`detail`), the agenda item being edited (`selected`),
 * the parts redrawn after a change (`header`, `live`, `inspector`, `builder`), and the run.
 */
function sessionView(detail, run, followUps) {
  return {
    detail,
    id: detail.session.id,
    run,
    followUps,
    selected: null,
    live: h('div'),
    inspector: h('aside', { class: 'inspector', 'aria-label': 'Agenda item' }),
    header: h('div'),
    builder: null,
  };
}

function agendaItems(view) {
  return view.detail.timetable.items.map((t) => t.item);
}

async function refreshSession(view, { focusId } = {}) {
  view.detail = await api.getSession(view.id);
  renderHeader(view);
  renderLive(view);
  if (view.selected && !agendaItems(view).some((i) => i.id === view.selected)) selectItem(view, null);
  if (focusId) focusById(focusId);
}

function renderHeader(view) {
  const { session, version, programme, timetable: t } = view.detail;
  const crumbs = programme
    ? breadcrumbs(['Programmes', '/programmes'], [programme.title, `/programmes/${programme.id}`], [version.name, `/versions/${version.id}`], [session.title])
    : breadcrumbs(['Programmes', '/programmes'], [session.title]);
  fill(view.header, 
    crumbs,
    heading(session.title, version ? version.name : 'A one-off session, outside any programme.'),
    facts([
      ['Date', date(session.date) ?? (version?.kind === 'national' ? 'Set by each local version' : 'Not set')],
      ['Time', `${t.start} to ${t.end}`],
      ['Venue', session.venue],
    ]),
    session.objectives ? h('p', { class: 'objectives' }, h('strong', {}, 'Objectives: '), session.objectives) : null);
}

function renderLive(view) {
  const { timetable: t, materials } = view.detail;
  fill(view.live, 
    summary(t),
    t.over_planned_end > 0
      ? h('p', { class: 'notice', role: 'status', 'data-testid': 'overrun' }, `The agenda runs ${minutes(t.over_planned_end)} past the planned end of ${t.planned_end}.`)
      : null,
    t.items.length ? agendaTable(view) : h('div', { class: 'empty' }, h('p', {}, 'This session has no agenda items yet. Add one below, or add an exercise from the library.')),
    materials.length
      ? h('section', { class: 'materials', 'aria-labelledby': 'materials-heading' },
        h('h2', { id: 'materials-heading' }, 'Materials checklist'),
        h('ul', { class: 'checklist' }, materials.map((m) => h('li', {}, m))))
      : null);
}

function agendaTable(view) {
  const t = view.detail.timetable;
  return h('table', { class: 'table agenda' },
    h('caption', { class: 'visually-hidden' }, `Agenda of ${view.detail.session.title}, with start times. Drag a row, or use its move buttons or Alt+arrow keys, to reorder.`),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Item'),
      h('th', { scope: 'col', class: 'num' }, 'Length'))),
    h('tbody', {},
      t.items.flatMap((timed, index) => itemRows(view, timed, index)),
      h('tr', { class: 'end-row' }, h('td', { class: 'time' }, t.end), h('td', {}, 'End of session'), h('td', {}))));
}

function itemRows(view, timed, index) {
  const { item } = timed;
  const count = view.detail.timetable.items.length;
  const link_ = view.detail.exercise_links.find((l) => l.item_id === item.id);
  const rows = [];
  if (timed.overrun_before > 0) {
    rows.push(h('tr', {}, h('td', { colspan: 3 }, h('p', { class: 'notice' },
      `What comes before runs ${minutes(timed.overrun_before)} past ${item.pinned_time}, when “${item.title}” is fixed to start.`))));
  } else if (timed.gap_before > 0) {
    rows.push(h('tr', {}, h('td', { colspan: 3, class: 'gap-note' }, `${minutes(timed.gap_before)} free before ${item.title}`)));
  }
  // One Tab stop an item (its title); these are for the mouse. By keyboard: Alt+arrows move
  // an item, and its editor has Duplicate and Delete.
  const button = (label, text, onclick, id, disabled) => h('button', {
    type: 'button', class: 'icon-button', 'aria-label': label, title: label, id, disabled: disabled ? true : null, onclick, tabindex: '-1',
  }, text);
  const row = h('tr', {
    class: `kind-${item.kind} ${view.selected === item.id ? 'selected' : ''}`, 'data-testid': 'agenda-item',
    'data-id': item.id, 'data-minutes': item.minutes, 'data-pinned': item.pinned_time, draggable: 'true',
  },
  h('td', { class: 'time' },
    h('span', { 'data-testid': 'item-start' }, timed.start),
    h('span', { class: 'time-end' }, `to ${timed.end}`)),
  h('td', {},
    h('button', { type: 'button', class: 'item-title link-button', id: `edit-${item.id}`, 'aria-label': `Edit “${item.title}”`, onclick: () => selectItem(view, item.id) }, item.title), ' ',
    h('span', { class: 'badge' }, kind(item.kind)),
    item.pinned_time ? [' ', h('span', { class: 'badge' }, `Fixed at ${item.pinned_time}`)] : null,
    link_ ? [' ', h('span', { class: `badge ${link_.changed_since ? 'badge-warning' : ''}` }, link_.changed_since ? '⚠ Library text changed' : 'From the library')] : null,
    item.notes ? h('p', { class: 'item-notes' }, item.notes) : null,
    item.prompt ? h('p', { class: 'item-prompt' }, h('strong', {}, 'Reflection prompt: '), item.prompt) : null,
    item.materials ? h('p', { class: 'item-notes' }, h('strong', {}, 'Materials: '), item.materials) : null,
    h('div', { class: 'row-actions' },
      button(`Move “${item.title}” up`, '↑', () => moveItem(view, item.id, index - 1, `up-${item.id}`), `up-${item.id}`, index === 0),
      button(`Move “${item.title}” down`, '↓', () => moveItem(view, item.id, index + 1, `down-${item.id}`), `down-${item.id}`, index === count - 1),
      button(`Duplicate “${item.title}”`, 'Duplicate', () => duplicateItem(view, item), `duplicate-${item.id}`),
      button(`Delete “${item.title}”`, 'Delete', () => deleteItem(view, item), `delete-${item.id}`))),
  h('td', { class: 'num' }, minutes(item.minutes)));
  row.addEventListener('keydown', (event) => {
    if (!event.altKey || !['ArrowUp', 'ArrowDown'].includes(event.key)) return;
    event.preventDefault();
    const to = event.key === 'ArrowUp' ? index - 1 : index + 1;
    if (to >= 0 && to < count) moveItem(view, item.id, to, document.activeElement?.id);
  });
  row.addEventListener('dragstart', (event) => {
    event.dataTransfer.setData('text/plain', item.id);
    event.dataTransfer.effectAllowed = 'move';
    row.classList.add('dragging');
  });
  row.addEventListener('dragend', () => row.classList.remove('dragging'));
  row.addEventListener('dragover', (event) => { event.preventDefault(); row.classList.add('drop-target'); });
  row.addEventListener('dragleave', () => row.classList.remove('drop-target'));
  row.addEventListener('drop', (event) => {
    event.preventDefault();
    row.classList.remove('drop-target');
    const dragged = event.dataTransfer.getData('text/plain');
    if (dragged && dragged !== item.id) moveItem(view, dragged, index, `edit-${dragged}`);
  });
  rows.push(row);
  return rows;
}

async function moveItem(view, id, index, focusId) {
  await saving(api.moveAgendaItem(id, index));
  await refreshSession(view, { focusId });
}

async function duplicateItem(view, item) {
  const copy = await saving(api.duplicateAgendaItem(item.id));
  await refreshSession(view, { focusId: `edit-${copy.id}` });
  notify(`Duplicated “${item.title}”.`);
}

async function deleteItem(view, item) {
  await saving(api.remove('agenda_item', item.id));
  await refreshSession(view);
  notify(`Deleted “${item.title}”.`, async () => {
    await saving(api.restore('agenda_item', item.id));
    await refreshSession(view, { focusId: `edit-${item.id}` });
  });
  document.getElementById('toast-undo')?.focus();
}

/** Opens agenda item `id` in the inspector beside the agenda, or closes it (null). */
function selectItem(view, id) {
  view.selected = id;
  view.builder?.classList.toggle('has-inspector', !!id);
  for (const row of view.live.querySelectorAll('tr[data-id]')) row.classList.toggle('selected', row.dataset.id === id);
  const item = agendaItems(view).find((i) => i.id === id);
  if (!item) {
    fill(view.inspector);
    return;
  }
  const save = (name) => async (value) => {
    await api.update('agenda_item', item.id, { [name]: value });
    await refreshSession(view);
  };
  const link_ = view.detail.exercise_links.find((l) => l.item_id === item.id);
  const title = field({ label: 'Title', value: item.title, save: save('title'), attrs: { id: 'item-title' } });
  fill(view.inspector, 
    h('h2', { id: 'inspector-heading', tabindex: '-1' }, `Edit “${item.title}”`),
    title.wrapper,
    h('div', { class: 'field-row' },
      field({ label: 'Length (minutes)', type: 'number', value: String(item.minutes), save: save('minutes'), read: wholeNumber('The length'), attrs: { id: 'item-minutes', min: '1', inputmode: 'numeric' } }).wrapper,
      field({ label: 'Kind', value: item.kind, options: pairs(choices.item_kinds), save: save('kind'), attrs: { id: 'item-kind' } }).wrapper),
    field({ label: 'Fixed start time (optional)', hint: 'For something that must start at a set time, such as lunch. Leave empty to follow on', type: 'time', value: item.pinned_time ?? '', save: save('pinned_time'), attrs: { id: 'item-pinned' } }).wrapper,
    field({ label: 'Facilitator notes', multiline: true, rows: 5, value: item.notes, save: save('notes'), attrs: { id: 'item-notes' } }).wrapper,
    field({ label: 'Materials', hint: 'Separate them with commas, or with semicolons when one has a comma in it (“A route map, if going outdoors”). They are gathered into the session’s checklist.', value: item.materials, save: save('materials'), attrs: { id: 'item-materials' } }).wrapper,
    field({ label: 'Reflection prompt (optional)', value: item.prompt, save: save('prompt'), attrs: { id: 'item-prompt' } }).wrapper,
    link_ ? exerciseLink(view, item, link_) : null,
    h('div', { class: 'button-row' },
      h('button', { type: 'button', class: 'button button-secondary', id: 'item-done', onclick: () => { selectItem(view, null); document.getElementById(`edit-${item.id}`)?.focus(); } }, 'Done'),
      h('button', { type: 'button', class: 'button button-secondary', id: 'item-duplicate', onclick: () => duplicateItem(view, item) }, 'Duplicate'),
      h('button', { type: 'button', class: 'button button-warning', id: 'item-delete', onclick: () => deleteItem(view, item) }, 'Delete')));
  view.inspector.querySelector('#inspector-heading').focus();
}

function exerciseLink(view, item, link_) {
  return h('div', { class: 'exercise-link' },
    h('p', {}, 'Copied from the library exercise ', link(`/library/${link_.exercise_id}`, link_.title), '.'),
    link_.changed_since
      ? [h('p', { class: 'notice' }, 'The exercise has been edited in the library since this item was copied. This agenda keeps its own copy until you choose to take the new text.'),
        h('button', { type: 'button', class: 'button button-secondary', id: 'take-new-text', onclick: async () => {
          await saving(api.refreshItemFromExercise(item.id));
          await refreshSession(view);
          selectItem(view, item.id);
          notify(`Took the library’s new text into “${link_.title}”.`);
        } }, 'Take the new text')]
      : h('p', { class: 'muted' }, 'It matches the library’s current text.'));
}

function detailsEditor(view) {
  const { session } = view.detail;
  const save = (name) => async (value) => {
    await api.update('session', view.id, { [name]: value });
    await refreshSession(view);
  };
  return h('details', { class: 'details-editor' },
    h('summary', {}, 'Edit session details'),
    field({ label: 'Title', value: session.title, save: save('title'), attrs: { id: 'session-title' } }).wrapper,
    h('div', { class: 'field-row' },
      field({ label: 'Date', type: 'date', value: session.date ?? '', save: save('date'), attrs: { id: 'session-date' } }).wrapper,
      field({ label: 'Start time', type: 'time', value: session.start_time, save: save('start_time'), required: true, attrs: { id: 'session-start-time' } }).wrapper,
      field({ label: 'Planned end (optional)', type: 'time', value: session.end_time ?? '', save: save('end_time'), attrs: { id: 'session-end-time' } }).wrapper),
    field({ label: 'Venue', value: session.venue, save: save('venue'), attrs: { id: 'session-venue' } }).wrapper,
    field({ label: 'Objectives', multiline: true, value: session.objectives, save: save('objectives'), attrs: { id: 'session-objectives' } }).wrapper);
}

function addItemForm(view) {
  const title = h('input', { id: 'new-item-title', type: 'text', autocomplete: 'off' });
  const mins = h('input', { id: 'new-item-minutes', type: 'number', min: '1', value: '15', inputmode: 'numeric' });
  const kindSelect = h('select', { id: 'new-item-kind' }, choices.item_kinds.map((c) => h('option', { value: c.value }, c.label)));
  const error = h('div');
  const form = h('form', { class: 'add-item', 'aria-labelledby': 'add-item-heading' },
    h('h3', { id: 'add-item-heading' }, 'Add an agenda item'),
    error,
    h('div', { class: 'field-row' },
      h('div', { class: 'field field-grow' }, h('label', { for: 'new-item-title' }, 'Title'), title),
      h('div', { class: 'field' }, h('label', { for: 'new-item-minutes' }, 'Minutes'), mins),
      h('div', { class: 'field' }, h('label', { for: 'new-item-kind' }, 'Kind'), kindSelect),
      h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'button' }, 'Add item'))));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(error);
    try {
      const n = wholeNumber('The length')(mins);
      await saving(api.addAgendaItem(view.id, null, title.value, n, kindSelect.value));
      title.value = '';
      await refreshSession(view, { focusId: 'new-item-title' });
    } catch (e) {
      fill(error, errorMessage(e));
    }
  });
  return form;
}

function libraryPicker(view) {
  const input = h('input', { id: 'picker-search', type: 'search', autocomplete: 'off', 'aria-describedby': 'picker-hint' });
  const results = h('ul', { class: 'picker-results', 'aria-label': 'Exercises to add' });
  const count = h('p', { class: 'hint', role: 'status' });
  const show = async () => {
    const text = input.value;
    const found = await api.listExercises({ text });
    if (input.value !== text) return;
    count.textContent = `${plural(found.length, 'exercise')}${text ? ` match “${text}”` : ''}`;
    fill(results, ...found.slice(0, 30).map((e) => h('li', {},
      h('span', {}, h('strong', {}, e.title), h('span', { class: 'muted' }, ` · ${e.min_minutes}–${e.max_minutes} min`)),
      h('button', { type: 'button', class: 'button button-secondary', 'aria-label': `Add “${e.title}” to the agenda`, onclick: async () => {
        // Focus stays on this Add button, so several exercises are added in a row.
        await saving(api.addExerciseToAgenda(view.id, e.id, null));
        await refreshSession(view);
        notify(`Added “${e.title}” to the end of the agenda.`);
      } }, 'Add'))));
  };
  let timer;
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(show, 150); });
  show();
  return h('section', { class: 'picker', 'aria-labelledby': 'picker-heading' },
    h('h3', { id: 'picker-heading' }, 'Add from the exercise library'),
    h('div', { class: 'field' },
      h('label', { for: 'picker-search' }, 'Find an exercise'),
      h('span', { class: 'hint', id: 'picker-hint' }, 'The agenda gets its own copy, linked to the exercise.'),
      input),
    count, results);
}

function dayLinks(id, run) {
  return h('nav', { class: 'day-links', 'aria-label': 'On the day' },
    h('a', { class: 'button', href: `#/sessions/${id}/run`, id: 'run-session' }, run?.status === 'not_started' ? 'Run this session' : 'Open run mode'),
    h('a', { class: 'button button-secondary', href: `#/sessions/${id}/attendance`, id: 'attendance-link' }, 'Attendance'));
}

/** After a run: each item's actual time against the plan. */
function howItRan(s) {
  if (!s || s.status === 'not_started') return null;
  const against = (i) => {
    if (i.over_seconds === null || i.over_seconds === undefined) return i.actual_start ? 'running now' : 'not reached';
    const m = Math.round(i.over_seconds / 60);
    return m === 0 ? 'on time' : m > 0 ? `${m} min over` : `${-m} min under`;
  };
  return h('section', { 'aria-labelledby': 'how-it-ran' },
    h('h2', { id: 'how-it-ran' }, s.status === 'finished' ? 'How it ran' : 'How it is running'),
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, ['Item', 'Planned', 'Ran for', 'Against plan'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, s.items.map((i) => h('tr', { 'data-testid': 'how-it-ran' },
        h('td', {}, i.title), h('td', {}, minutes(i.planned_minutes)),
        h('td', {}, i.actual_start ? minutes(Math.round(i.elapsed_seconds / 60)) : '—'),
        h('td', {}, against(i)))))));
}

function sessionActions({ session, version }) {
  return h('p', { class: 'actions' },
    h('button', { type: 'button', class: 'button button-secondary', id: 'duplicate-session', onclick: async () => {
      const copy = await saving(api.duplicateSession(session.id));
      location.hash = `#/sessions/${copy.id}`;
      notify(`Made a copy of “${session.title}”.`);
    } }, 'Duplicate session'),
    h('button', { type: 'button', class: 'button button-warning', id: 'delete-session', onclick: async () => {
      await saving(api.remove('session', session.id));
      location.hash = version ? `#/versions/${version.id}` : '#/programmes';
      notify(`Deleted the session “${session.title}”.`, async () => {
        await saving(api.restore('session', session.id));
        location.hash = `#/sessions/${session.id}`;
      });
    } }, 'Delete session'));
}

export async function sessionScreen(id) {
  const [detail, run, followUps] = await Promise.all([api.getSession(id), api.runState(id), api.actionsToFollowUp(id)]);
  const view = sessionView(detail, run, followUps);
  view.builder = h('div', { class: 'builder' },
    h('div', { class: 'builder-main' }, view.live, addItemForm(view), libraryPicker(view)),
    view.inspector);
  renderHeader(view);
  renderLive(view);
  selectItem(view, null);
  const node = h('div', { class: 'main-wide' },
    view.header,
    dayLinks(view.id, view.run),
    view.followUps.length ? followUpPanel(view.followUps) : null,
    howItRan(view.run),
    detailsEditor(view),
    h('h2', {}, 'Agenda'),
    view.builder,
    exportPanel({ kind: 'session', id: view.id }, 'this session’s notes'),
    sessionActions(view.detail));
  return { title: view.detail.session.title, place: 'programmes', node };
}
