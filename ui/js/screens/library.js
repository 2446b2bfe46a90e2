// The exercise library: search and filters, a list of exercises, the chosen one in full, and
// editing: new, edit, duplicate, archive.

import { api } from '../api.js';
import { breadcrumbs, fill, h, heading, link, tags } from '../dom.js';
import { minutes, plural } from '../format.js';
import { field, lines, wholeNumber } from '../fields.js';
import { notify, saving } from '../feedback.js';
import { createForm } from '../forms.js';
import { refresh } from '../navigation.js';

const filter = { text: '', tag: '', minutes: '', group: '', include_archived: false };
let focusSearch = false;

/** The next time the library opens, put the cursor in its search box. */
export function requestSearchFocus() {
  focusSearch = true;
}

function range(low, high, unit) {
  return low === high ? `${low} ${unit}` : `${low}–${high} ${unit}`;
}

function query() {
  const number = (text) => (text === '' ? null : Number(text));
  return {
    text: filter.text || null,
    tag: filter.tag || null,
    minutes: number(filter.minutes),
    group: number(filter.group),
    include_archived: filter.include_archived,
  };
}

function detail(exercise) {
  if (!exercise) {
    return h('div', { class: 'exercise-detail' }, h('p', { class: 'muted' }, 'Choose an exercise to read its purpose, steps and prompts.'));
  }
  const archive = async () => {
    await saving(api.update('exercise', exercise.id, { archived: !exercise.archived }));
    notify(exercise.archived ? `“${exercise.title}” is back in the library.` : `Archived “${exercise.title}”. Agendas that use it keep their copy.`, exercise.archived ? null : async () => {
      await saving(api.update('exercise', exercise.id, { archived: false }));
      await refresh('archive-exercise');
    });
    await refresh('archive-exercise');
  };
  const duplicate = async () => {
    const copy = await saving(api.duplicateExercise(exercise.id));
    location.hash = `#/library/${copy.id}/edit`;
  };
  return h('article', { class: 'exercise-detail', 'aria-labelledby': 'exercise-title' },
    h('h2', { id: 'exercise-title' }, exercise.title, exercise.archived ? h('span', { class: 'badge' }, ' Archived') : null),
    h('p', {}, exercise.purpose),
    tags(exercise.tags, 'Tags'),
    h('dl', { class: 'facts' },
      h('div', {}, h('dt', {}, 'Duration'), h('dd', {}, exercise.min_minutes === exercise.max_minutes ? minutes(exercise.min_minutes) : `${minutes(exercise.min_minutes)} to ${minutes(exercise.max_minutes)}`)),
      h('div', {}, h('dt', {}, 'Group size'), h('dd', {}, range(exercise.min_group, exercise.max_group, 'people')))),
    h('h3', {}, 'Steps'),
    exercise.steps.length ? h('ol', {}, exercise.steps.map((s) => h('li', {}, s))) : h('p', { class: 'muted' }, 'No steps written yet.'),
    h('h3', {}, 'For participants'),
    exercise.for_participants ? h('p', { id: 'exercise-for-participants-text' }, exercise.for_participants) : h('p', { class: 'muted' }, 'Nothing written for participants yet: handouts leave this exercise’s description out.'),
    exercise.materials.length ? [h('h3', {}, 'Materials'), h('ul', {}, exercise.materials.map((m) => h('li', {}, m)))] : null,
    exercise.prompts.length ? [h('h3', {}, 'Reflection prompts'), h('ul', {}, exercise.prompts.map((p) => h('li', {}, p)))] : null,
    exercise.source ? h('p', { class: 'muted' }, 'Source: ', exercise.source) : null,
    h('p', { class: 'actions' },
      h('a', { class: 'button', href: `#/library/${exercise.id}/edit`, id: 'edit-exercise' }, 'Edit'),
      h('button', { type: 'button', class: 'button button-secondary', onclick: duplicate }, 'Duplicate'),
      h('button', { type: 'button', class: 'button button-secondary', id: 'archive-exercise', onclick: archive }, exercise.archived ? 'Bring back' : 'Archive')));
}

function listItems(exercises, chosenId) {
  return exercises.map((e) => h('li', {},
    h('a', { href: `#/library/${e.id}`, 'aria-current': e.id === chosenId ? 'true' : null },
      h('span', { class: 'ex-title' }, e.title, e.archived ? ' (archived)' : ''),
      h('span', { class: 'ex-meta' }, `${range(e.min_minutes, e.max_minutes, 'min')} · ${range(e.min_group, e.max_group, 'people')}`))));
}

function filters(allTags, onChange) {
  const control = (id, label, element) => h('div', { class: 'field' }, h('label', { for: id }, label), element);
  const tag = h('select', { id: 'filter-tag' }, h('option', { value: '' }, 'Any tag'), allTags.map((t) => h('option', { value: t, selected: t === filter.tag ? true : null }, t)));
  const mins = h('input', { id: 'filter-minutes', type: 'number', min: '1', max: '1440', inputmode: 'numeric', value: filter.minutes });
  const group = h('input', { id: 'filter-group', type: 'number', min: '1', max: '1000', inputmode: 'numeric', value: filter.group });
  const archived = h('input', { id: 'filter-archived', type: 'checkbox', checked: filter.include_archived ? true : null });
  tag.addEventListener('change', () => { filter.tag = tag.value; onChange(); });
  mins.addEventListener('input', () => { filter.minutes = mins.value.trim(); onChange(); });
  group.addEventListener('input', () => { filter.group = group.value.trim(); onChange(); });
  archived.addEventListener('change', () => { filter.include_archived = archived.checked; onChange(); });
  return h('div', { class: 'filters field-row' },
    control('filter-tag', 'Tag', tag),
    control('filter-minutes', 'Fits in (minutes)', mins),
    control('filter-group', 'Group of (people)', group),
    h('div', { class: 'field checkbox' }, archived, h('label', { for: 'filter-archived' }, 'Show archived')));
}

export async function libraryScreen(chosenId) {
  let [exercises, allTags] = await Promise.all([api.listExercises(query()), api.listExerciseTags()]);
  const chosen = chosenId ? await api.getExercise(chosenId) : null;

  const count = h('p', { class: 'count', role: 'status', 'aria-live': 'polite' });
  const list = h('ul', { class: 'exercise-list', 'aria-label': 'Exercises' });
  const render = () => {
    const narrowed = filter.text || filter.tag || filter.minutes || filter.group;
    count.textContent = exercises.length
      ? plural(exercises.length, 'exercise') + (narrowed ? ` ${exercises.length === 1 ? 'matches' : 'match'}` : '')
      : 'No exercises match. Try fewer filters or a shorter word.';
    fill(list, ...listItems(exercises, chosenId));
  };
  render();
  let pending;
  const reload = () => {
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const asked = JSON.stringify(query());
      const found = await api.listExercises(query());
      if (JSON.stringify(query()) !== asked) return;
      exercises = found;
      render();
    }, 120);
  };

  const input = h('input', {
    id: 'library-search', type: 'search', value: filter.text, autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'library-search-hint',
  });
  input.addEventListener('input', () => { filter.text = input.value; reload(); });
  // Down from the search box goes to the results; Up and Down move through them.
  input.addEventListener('keydown', (event) => {
    if (event.key === 'ArrowDown') { event.preventDefault(); list.querySelector('a')?.focus(); }
  });
  list.addEventListener('keydown', (event) => {
    const links = [...list.querySelectorAll('a')];
    const at = links.indexOf(document.activeElement);
    if (at < 0 || !['ArrowDown', 'ArrowUp'].includes(event.key)) return;
    event.preventDefault();
    if (event.key === 'ArrowUp' && at === 0) input.focus();
    else links[Math.min(links.length - 1, Math.max(0, at + (event.key === 'ArrowDown' ? 1 : -1)))].focus();
  });

  const newForm = createForm({
    id: 'new-exercise-title', label: 'New exercise', button: 'Create exercise',
    create: async (title) => `/library/${(await saving(api.createExercise(title))).id}/edit`,
  });

  let focus = null;
  if (focusSearch) {
    focus = input;
    focusSearch = false;
  }
  const node = h('div', { class: 'main-wide' },
    heading('Exercise library', 'Reusable methods for your agendas: what each is for, how to run it, and the prompts that go with it.'),
    h('div', { class: 'field' },
      h('label', { for: 'library-search' }, 'Search exercises'),
      h('span', { class: 'hint', id: 'library-search-hint' }, 'By title, purpose, steps or tag. Press ↓ to go to the results, / to come back here.'),
      input),
    filters(allTags, reload),
    h('div', { class: 'library' },
      h('div', {}, count, list, newForm),
      detail(chosen)));
  if (chosen && !focus) focus = node.querySelector('#exercise-title');
  return { title: chosen ? chosen.title : 'Exercise library', place: 'library', node, focus, keepScroll: !!chosen };
}

export async function exerciseEditScreen(id) {
  const exercise = await api.getExercise(id);
  const save = (name) => (value) => api.update('exercise', id, { [name]: value });
  const editHeading = h('h1', {}, `Edit “${exercise.title}”`);
  const title = field({ label: 'Title', value: exercise.title, save: async (v) => { await save('title')(v); editHeading.textContent = `Edit “${v}”`; }, attrs: { id: 'exercise-edit-title' } });
  // The two ends of a range are saved together, so the smaller never passes the larger.
  const rangeFields = (label, lowName, highName, low, high, max) => {
    const lowField = field({ label: `${label}: at least`, type: 'number', value: String(low), attrs: { id: `exercise-${lowName}`, min: '0', max: String(max), inputmode: 'numeric' },
      save: async (v) => api.update('exercise', id, { [lowName]: v, [highName]: wholeNumber(label, { max })(highField.input) }), read: wholeNumber(label, { max }) });
    const highField = field({ label: `${label}: at most`, type: 'number', value: String(high), attrs: { id: `exercise-${highName}`, min: '0', max: String(max), inputmode: 'numeric' },
      save: async (v) => api.update('exercise', id, { [highName]: v, [lowName]: wholeNumber(label, { max })(lowField.input) }), read: wholeNumber(label, { max }) });
    return h('div', { class: 'field-row' }, lowField.wrapper, highField.wrapper);
  };
  return {
    title: `Edit ${exercise.title}`,
    place: 'library',
    node: h('div', {},
      breadcrumbs(['Exercise library', '/library'], [exercise.title, `/library/${id}`], ['Edit']),
      editHeading,
      h('p', { class: 'lead' }, 'Changes are saved as you type. Agendas that already use this exercise keep their own copy and show that the library’s text has changed.'),
      title.wrapper,
      field({ label: 'Purpose', multiline: true, value: exercise.purpose, save: save('purpose'), attrs: { id: 'exercise-purpose' } }).wrapper,
      field({ label: 'Steps', hint: 'One step per line.', multiline: true, rows: 7, value: exercise.steps.join('\n'), save: save('steps'), read: lines, attrs: { id: 'exercise-steps' } }).wrapper,
      field({ label: 'For participants', hint: 'What the exercise is like for those who take part, in their words. Handouts show this, never your purpose and steps.', multiline: true, value: exercise.for_participants || '', save: save('for_participants'), attrs: { id: 'exercise-for-participants' } }).wrapper,
      rangeFields('Duration in minutes', 'min_minutes', 'max_minutes', exercise.min_minutes, exercise.max_minutes, 1440),
      rangeFields('Group size', 'min_group', 'max_group', exercise.min_group, exercise.max_group, 10000),
      field({ label: 'Materials', hint: 'One per line.', multiline: true, value: exercise.materials.join('\n'), save: save('materials'), read: lines, attrs: { id: 'exercise-materials' } }).wrapper,
      field({ label: 'Reflection prompts', hint: 'One per line.', multiline: true, value: exercise.prompts.join('\n'), save: save('prompts'), read: lines, attrs: { id: 'exercise-prompts' } }).wrapper,
      field({ label: 'Tags', hint: 'Separate them with commas.', value: exercise.tags.join(', '), save: save('tags'), read: (i) => i.value.split(',').map((t) => t.trim()).filter(Boolean), attrs: { id: 'exercise-tags' } }).wrapper,
      field({ label: 'Source or attribution', value: exercise.source, save: save('source'), attrs: { id: 'exercise-source' } }).wrapper,
      h('p', {}, link(`/library/${id}`, 'Done: back to the exercise'))),
    focus: title.input,
  };
}
