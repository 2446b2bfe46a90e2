// The exercise library: search, a list of exercises, and the chosen one in full.

import { api } from '../api.js';
import { h, link, tags } from '../dom.js';
import { minutes, plural } from '../format.js';

let searchText = '';
let focusSearch = false;

/** The next time the library opens, put the cursor in its search box. */
export function requestSearchFocus() {
  focusSearch = true;
}

function range(low, high, unit) {
  return low === high ? `${low} ${unit}` : `${low}–${high} ${unit}`;
}

function detail(exercise) {
  if (!exercise) {
    return h('div', { class: 'exercise-detail' }, h('p', { class: 'muted' }, 'Choose an exercise to read its purpose, steps and prompts.'));
  }
  return h('article', { class: 'exercise-detail', 'aria-labelledby': 'exercise-title' },
    h('h2', { id: 'exercise-title' }, exercise.title),
    h('p', {}, exercise.purpose),
    tags(exercise.tags, 'Tags'),
    h('dl', { class: 'facts' },
      h('div', {}, h('dt', {}, 'Duration'), h('dd', {}, exercise.min_minutes === exercise.max_minutes ? minutes(exercise.min_minutes) : `${minutes(exercise.min_minutes)} to ${minutes(exercise.max_minutes)}`)),
      h('div', {}, h('dt', {}, 'Group size'), h('dd', {}, range(exercise.min_group, exercise.max_group, 'people')))),
    h('h3', {}, 'Steps'),
    h('ol', {}, exercise.steps.map((s) => h('li', {}, s))),
    exercise.materials.length ? [h('h3', {}, 'Materials'), h('ul', {}, exercise.materials.map((m) => h('li', {}, m)))] : null,
    exercise.prompts.length ? [h('h3', {}, 'Reflection prompts'), h('ul', {}, exercise.prompts.map((p) => h('li', {}, p)))] : null,
    exercise.source ? h('p', { class: 'muted' }, 'Source: ', exercise.source) : null);
}

function listItems(exercises, chosenId) {
  return exercises.map((e) => h('li', {},
    h('a', { href: `#/library/${e.id}`, 'aria-current': e.id === chosenId ? 'true' : null },
      h('span', { class: 'ex-title' }, e.title),
      h('span', { class: 'ex-meta' }, `${range(e.min_minutes, e.max_minutes, 'min')} · ${range(e.min_group, e.max_group, 'people')}`))));
}

export async function libraryScreen(chosenId) {
  let exercises = await api.listExercises(searchText);
  const chosen = chosenId ? (await api.listExercises('')).find((e) => e.id === chosenId) : null;

  const count = h('p', { class: 'count', role: 'status', 'aria-live': 'polite' });
  const list = h('ul', { class: 'exercise-list', 'aria-label': 'Exercises' });
  const render = () => {
    count.textContent = exercises.length
      ? plural(exercises.length, 'exercise') + (searchText ? ` ${exercises.length === 1 ? 'matches' : 'match'} “${searchText}”` : '')
      : `No exercises match “${searchText}”. Try a shorter word, or clear the search.`;
    list.replaceChildren(...listItems(exercises, chosenId));
  };
  render();

  const input = h('input', {
    id: 'library-search', type: 'search', value: searchText, autocomplete: 'off', spellcheck: 'false',
    'aria-describedby': 'library-search-hint',
  });
  let pending;
  input.addEventListener('input', () => {
    clearTimeout(pending);
    pending = setTimeout(async () => {
      const text = input.value;
      const found = await api.listExercises(text);
      if (input.value !== text) return;
      searchText = text;
      exercises = found;
      render();
    }, 120);
  });

  let focus = null;
  if (focusSearch) {
    focus = input;
    focusSearch = false;
  }
  const node = h('div', { class: 'main-wide' },
    h('h1', {}, 'Exercise library'),
    h('p', { class: 'lead' }, 'Reusable methods for your agendas: what each is for, how to run it, and the prompts that go with it.'),
    h('div', { class: 'field' },
      h('label', { for: 'library-search' }, 'Search exercises'),
      h('span', { class: 'hint', id: 'library-search-hint' }, 'By title, purpose, steps or tag. Press / to come back here.'),
      input),
    h('div', { class: 'library' },
      h('div', {}, count, list),
      detail(chosen)));
  if (chosen) focus = node.querySelector('#exercise-title');
  return { title: chosen ? chosen.title : 'Exercise library', place: 'library', node, focus, keepScroll: !!chosen };
}
