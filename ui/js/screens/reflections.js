// Reflections across every session: search (words by their stem, "quoted phrases"), filters,
// counts, a list that draws only the rows in view (so 100,000 results scroll smoothly), coding
// with themes by keyboard, and a reflection opened in its context. User text is only ever
// set as text, never as HTML.

import { api } from '../api.js';
import { choices } from '../choices.js';
import { facts, fill, h, heading } from '../dom.js';
import { errorMessage, notify, saving } from '../feedback.js';
import { date as formatDate, plural } from '../format.js';
import { DATE_HINT, readDate } from '../dates.js';
import { rememberProgramme } from '../remember.js';

const ROW = 88; // px: every row is this tall, so a row's place follows from its number
const PAGE = 100;
const KEEP_PAGES = 24; // pages kept in memory; others are fetched again when scrolled back to
const MAX_ROWS = 300_000; // beyond this a browser cannot make the list tall enough
const MAX_BATCH = 5000; // the most reflections tagged at once (as the core allows)

/** The text with matched words in <mark> elements, built from the marked string. */
export function marked(text) {
  const { mark_start: START, mark_end: END } = choices;
  const parts = [];
  for (const piece of text.split(START)) {
    const [inside, ...after] = piece.split(END);
    if (after.length) parts.push(h('mark', {}, inside), after.join(END));
    else parts.push(piece);
  }
  return parts;
}

const where = (hit) => [hit.session, hit.place || (hit.version ? 'national' : 'one-off'), formatDate(hit.date)].filter(Boolean).join(' · ');

const placeName = (v, programme) => (v.kind === 'local' ? `${programme.title}: ${v.place}` : `${programme.title}: national`);

/** The dates as typed (dd/mm/yyyy), read as ISO; a date that cannot be read is said so. */
function dayOf(input) {
  try {
    input.removeAttribute('aria-invalid');
    return readDate(input.value);
  } catch (e) {
    input.setAttribute('aria-invalid', 'true');
    throw e;
  }
}

/**
 * The screen's state, passed to each part: the search's controls, what has been found (pages
 * of hits, fetched as they scroll into view), the row with focus and the selection, the
 * themes, the extra filters ("chips"), the reflection opened, and the parts redrawn.
 */
function reflectionsView(programmes, themes) {
  const dateInput = (id) => h('input', { id, type: 'text', class: 'date-input', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'filter-dates-hint' });
  const spacer = h('div', { class: 'vlist-spacer' });
  return {
    programmes,
    versions: programmes.flatMap(({ programme, versions: vs }) => vs.map(({ version }) => ({ programme, version }))),
    total: 0,
    pages: new Map(), // page number -> hits
    asked: new Set(),
    generation: 0,
    searches: 0, // the latest search asked for; a slower answer to an earlier one is dropped
    active: -1,
    anchor: -1,
    selected: new Map(), // id -> hit
    themes,
    chips: {}, // participant_id, agenda_item_id, prompt: { value, label }
    opened: null,
    frame: 0,
    timer: null,
    // ---- Controls
    input: h('input', { id: 'reflection-search', type: 'search', autocomplete: 'off', 'aria-describedby': 'reflection-search-hint' }),
    // A whole programme, or one of its versions (national or a place).
    version: h('select', { id: 'filter-version' }, h('option', { value: '' }, 'Every programme and place'),
      programmes.filter((p) => p.versions.length).map(({ programme, versions: vs }) => h('optgroup', { label: programme.title },
        h('option', { value: `programme:${programme.id}` }, `${programme.title}: every place`),
        vs.map(({ version: v }) => h('option', { value: v.id }, placeName(v, programme)))))),
    theme: h('select', { id: 'filter-theme' }),
    sector: h('select', { id: 'filter-sector' }, h('option', { value: '' }, 'Any sector'), choices.sectors.filter((c) => c.value).map((c) => h('option', { value: c.value }, c.label))),
    from: dateInput('filter-from'),
    to: dateInput('filter-to'),
    sort: h('select', { id: 'filter-sort' }, h('option', { value: 'newest' }, 'Newest first'), h('option', { value: 'relevance' }, 'Best match first')),
    chipList: h('ul', { class: 'chips', 'aria-label': 'Also filtered by' }),
    count: h('p', { class: 'count', role: 'status', 'aria-live': 'polite', 'data-testid': 'reflection-total' }),
    selection: h('p', { class: 'selection-count', id: 'selection-count', 'aria-live': 'polite' }),
    problem: h('div', { class: 'problem' }),
    // ---- The list: only the rows in view are drawn.
    spacer,
    list: h('div', {
      class: 'vlist', id: 'reflection-list', role: 'listbox', tabindex: '0', 'aria-multiselectable': 'true',
      'aria-label': 'Reflections found', 'aria-describedby': 'list-keys',
    }, spacer),
    // ---- Themes, and a reflection in its context.
    themeList: h('ol', { class: 'theme-keys', id: 'theme-keys' }),
    newTheme: h('input', { id: 'new-theme-name', type: 'text', autocomplete: 'off', maxlength: 80 }),
    themeProblem: h('div', { class: 'problem' }),
    detail: h('section', { class: 'panel reflection-detail', id: 'reflection-detail', 'aria-labelledby': 'detail-heading', hidden: true }),
  };
}

function fillThemeFilter(view) {
  const { theme } = view;
  const chosen = theme.value;
  fill(theme, h('option', { value: '' }, 'Any theme'), h('option', { value: 'none' }, 'No theme yet'),
    view.themes.map((t) => h('option', { value: t.theme.id }, t.theme.name)));
  theme.value = [...theme.options].some((o) => o.value === chosen) ? chosen : '';
}

const rowCount = (view) => Math.min(view.total, MAX_ROWS);
const hitAt = (view, i) => view.pages.get(Math.floor(i / PAGE))?.[i % PAGE];

function query(view, offset, limit) {
  const { version, theme, chips } = view;
  return {
    text: view.input.value,
    as_you_type: true,
    programme_id: version.value.startsWith('programme:') ? version.value.slice('programme:'.length) : null,
    version_id: version.value && !version.value.startsWith('programme:') ? version.value : null,
    theme_id: theme.value && theme.value !== 'none' ? theme.value : null,
    untagged: theme.value === 'none',
    sector: view.sector.value || null,
    from: dayOf(view.from),
    to: dayOf(view.to),
    participant_id: chips.participant_id?.value ?? null,
    session_id: chips.session_id?.value ?? null,
    agenda_item_id: chips.agenda_item_id?.value ?? null,
    prompt: chips.prompt?.value ?? null,
    sort: view.sort.value,
    limit,
    offset,
  };
}

async function loadPage(view, page) {
  if (view.pages.has(page) || view.asked.has(page)) return;
  const generation = view.generation;
  view.asked.add(page);
  try {
    const result = await api.searchReflections(query(view, page * PAGE, PAGE));
    if (generation !== view.generation) return;
    view.pages.set(page, result.hits);
    // Forget pages far from the ones in view, so memory stays flat however far one scrolls.
    if (view.pages.size > KEEP_PAGES) {
      const here = Math.floor(view.list.scrollTop / ROW / PAGE);
      const far = [...view.pages.keys()].sort((a, b) => Math.abs(b - here) - Math.abs(a - here));
      for (const p of far.slice(0, view.pages.size - KEEP_PAGES)) view.pages.delete(p);
    }
    draw(view);
  } catch (e) {
    fill(view.problem, errorMessage(e));
  } finally {
    view.asked.delete(page);
  }
}

function rowFor(view, i) {
  const hit = hitAt(view, i);
  const id = `hit-${i}`;
  const common = { id, role: 'option', class: 'vrow', 'aria-setsize': rowCount(view), 'aria-posinset': i + 1, 'data-index': i };
  let row;
  if (!hit) {
    row = h('div', { ...common, 'aria-selected': 'false', 'data-loading': '' }, h('p', { class: 'vrow-text muted' }, 'Loading…'));
  } else {
    const chosen = view.selected.has(hit.id);
    row = h('div', { ...common, 'aria-selected': String(chosen), 'data-id': hit.id, 'data-testid': 'reflection-hit' },
      h('span', { class: 'vrow-check', 'aria-hidden': 'true' }, chosen ? '✓' : ''),
      h('div', { class: 'vrow-body' },
        h('p', { class: 'vrow-text' }, marked(hit.marked)),
        // Who said it and its themes first: a long session name is what gets cut short.
        h('p', { class: 'vrow-meta' },
          h('span', { class: 'vrow-who' }, hit.participant ?? 'Anonymous'),
          hit.sent_from === 'phone' ? h('span', { class: 'badge badge-small', 'data-testid': 'from-phone' }, 'from a phone') : null,
          hit.themes.map((t) => h('span', { class: 'tag tag-small' }, t.name)),
          h('span', { class: 'vrow-where' }, ` · ${where(hit)}`))));
  }
  if (i === view.active) row.classList.add('vrow-active');
  row.style.transform = `translateY(${i * ROW}px)`;
  return row;
}

/** Draws the rows in view (and a few either side), fetching the pages they are on. */
function draw(view) {
  const { list } = view;
  const rows = rowCount(view);
  view.spacer.style.height = `${rows * ROW}px`;
  const first = Math.max(0, Math.floor(list.scrollTop / ROW) - 4);
  const last = Math.min(rows, Math.ceil((list.scrollTop + list.clientHeight) / ROW) + 4);
  for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last - 1) / PAGE) && p * PAGE < rows; p += 1) {
    loadPage(view, p);
  }
  const items = [];
  for (let i = first; i < last; i += 1) items.push(rowFor(view, i));
  fill(view.spacer, items);
  if (view.active >= first && view.active < last) list.setAttribute('aria-activedescendant', `hit-${view.active}`);
  else list.removeAttribute('aria-activedescendant');
  view.selection.textContent = view.selected.size ? `${plural(view.selected.size, 'reflection')} selected` : '';
}

async function search(view, { keepPlace = false } = {}) {
  const ticket = ++view.searches;
  fill(view.problem);
  try {
    const result = await api.searchReflections(query(view, 0, PAGE));
    if (ticket !== view.searches) return;
    view.generation += 1;
    view.pages = new Map([[0, result.hits]]);
    view.total = result.total;
    if (!keepPlace) {
      view.list.scrollTop = 0;
      view.active = -1;
      view.anchor = -1;
    }
    view.active = Math.min(view.active, rowCount(view) - 1);
    const matching = view.input.value.trim() ? ' match' : '';
    view.count.textContent = `${plural(result.total, 'reflection')}${matching}`
      + (result.total > MAX_ROWS ? `. The list shows the first ${MAX_ROWS.toLocaleString('en-GB')}: narrow the search to see the rest.` : '');
    draw(view);
  } catch (e) {
    fill(view.problem, errorMessage(e));
  }
}

// ---- Selecting and moving, by keyboard and mouse.

function scrollToRow(view, i) {
  const { list } = view;
  const top = i * ROW;
  if (top < list.scrollTop) list.scrollTop = top;
  else if (top + ROW > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW - list.clientHeight;
}

function moveTo(view, i, { extend = false } = {}) {
  if (!rowCount(view)) return;
  const next = Math.max(0, Math.min(rowCount(view) - 1, i));
  if (extend) {
    if (view.anchor < 0) view.anchor = view.active >= 0 ? view.active : next;
    selectRange(view, view.anchor, next);
  } else {
    view.anchor = next;
  }
  view.active = next;
  scrollToRow(view, next);
  draw(view);
}

function selectRange(view, a, b) {
  const [lo, hi] = a < b ? [a, b] : [b, a];
  for (let i = lo; i <= hi; i += 1) {
    const hit = hitAt(view, i);
    if (hit && view.selected.size < MAX_BATCH) view.selected.set(hit.id, hit);
  }
}

function toggle(view, i) {
  const hit = hitAt(view, i);
  if (!hit) return;
  if (view.selected.has(hit.id)) view.selected.delete(hit.id);
  else if (view.selected.size < MAX_BATCH) view.selected.set(hit.id, hit);
  draw(view);
}

async function selectAll(view) {
  if (view.total > MAX_BATCH) {
    notify(`Select at most ${MAX_BATCH.toLocaleString('en-GB')} at a time: narrow the search first.`);
    return;
  }
  const result = await api.searchReflections(query(view, 0, 500));
  let hits = result.hits;
  for (let offset = 500; offset < result.total; offset += 500) {
    hits = hits.concat((await api.searchReflections(query(view, offset, 500))).hits);
  }
  for (const hit of hits) view.selected.set(hit.id, hit);
  draw(view);
}

function listKeys(view, event) {
  const page = Math.max(1, Math.floor(view.list.clientHeight / ROW) - 1);
  const at = view.active < 0 ? -1 : view.active;
  const shift = event.shiftKey;
  let handled = true;
  if (event.key === 'ArrowDown') moveTo(view, at + 1, { extend: shift });
  else if (event.key === 'ArrowUp') moveTo(view, at - 1, { extend: shift });
  else if (event.key === 'PageDown') moveTo(view, at + page, { extend: shift });
  else if (event.key === 'PageUp') moveTo(view, at - page, { extend: shift });
  else if (event.key === 'Home') moveTo(view, 0, { extend: shift });
  else if (event.key === 'End') moveTo(view, rowCount(view) - 1, { extend: shift });
  else if (event.key === ' ') { if (at >= 0) toggle(view, at); }
  else if (event.key === 'Enter') { if (at >= 0) open(view, hitAt(view, at)); }
  else if (event.key === 'Escape') { view.selected.clear(); draw(view); }
  else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'a') selectAll(view);
  else if (/^[1-9]$/.test(event.key) && !event.ctrlKey && !event.altKey && !event.metaKey) {
    const t = view.themes[Number(event.key) - 1];
    if (t) applyTheme(view, t.theme);
  } else handled = false;
  if (handled) event.preventDefault();
}

function listClick(view, event) {
  const row = event.target.closest('.vrow');
  if (!row || row.dataset.loading !== undefined) return;
  const i = Number(row.dataset.index);
  if (event.shiftKey) { selectRange(view, view.anchor >= 0 ? view.anchor : i, i); view.active = i; draw(view); return; }
  if (event.ctrlKey || event.metaKey) { view.active = i; view.anchor = i; toggle(view, i); return; }
  view.active = i;
  view.anchor = i;
  draw(view);
  open(view, hitAt(view, i));
}

// ---- Themes: tag the selection (or the reflection in view) with a theme.

function targets(view) {
  if (view.selected.size) return [...view.selected.values()];
  const hit = view.active >= 0 ? hitAt(view, view.active) : null;
  return hit ? [hit] : [];
}

async function applyTheme(view, t) {
  const chosen = targets(view);
  if (!chosen.length) {
    notify('Select reflections first: Space selects the one in view.');
    return;
  }
  const ids = chosen.map((hit) => hit.id);
  rememberProgramme(view.programmes.find(({ programme }) => programme.title === chosen[0].programme)?.programme.id);
  const everyHasIt = chosen.every((hit) => hit.themes.some((x) => x.id === t.id));
  try {
    if (everyHasIt) {
      const n = await saving(api.untagReflections(t.id, ids));
      notify(`Took “${t.name}” off ${plural(n, 'reflection')}.`, async () => { await api.tagReflections(t.id, ids); await refreshThemes(view); });
    } else {
      const n = await saving(api.tagReflections(t.id, ids));
      notify(`Tagged ${plural(n, 'reflection')} with “${t.name}”.`, async () => { await api.untagReflections(t.id, ids); await refreshThemes(view); });
    }
    await refreshThemes(view);
  } catch (e) {
    fill(view.themeProblem, errorMessage(e));
  }
}

/** After tagging: the themes' counts, the rows' tags and the reflection opened, read again. */
async function refreshThemes(view) {
  view.themes = await api.listThemes();
  fillThemeFilter(view);
  drawThemes(view);
  // Tags show on the rows, and a theme filter may now match more or fewer.
  await search(view, { keepPlace: true });
  const loaded = new Map([...view.pages.values()].flat().map((x) => [x.id, x]));
  for (const [id, hit] of view.selected) view.selected.set(id, loaded.get(id) ?? hit);
  if (view.opened) open(view, view.opened, { keepFocus: true });
  draw(view);
}

function drawThemes(view) {
  fill(view.themeList, view.themes.map((t, n) => h('li', {},
    h('button', { type: 'button', class: 'theme-key', 'data-theme': t.theme.id, onclick: () => applyTheme(view, t.theme) },
      n < 9 ? h('kbd', {}, String(n + 1)) : null,
      h('span', { class: 'theme-key-name' }, t.theme.name),
      h('span', { class: 'theme-key-count' }, t.reflections.toLocaleString('en-GB'))))));
  if (!view.themes.length) fill(view.themeList, h('li', { class: 'muted' }, 'No themes yet. Add the first below.'));
}

async function addTheme(view, event) {
  event.preventDefault();
  fill(view.themeProblem);
  try {
    const made = await saving(api.createTheme(view.newTheme.value));
    view.newTheme.value = '';
    view.themes = await api.listThemes();
    fillThemeFilter(view);
    drawThemes(view);
    notify(`Added the theme “${made.name}”.`);
  } catch (e) {
    fill(view.themeProblem, errorMessage(e));
    view.newTheme.focus();
  }
}

function themePanel(view) {
  return h('section', { class: 'panel', 'aria-labelledby': 'themes-heading' },
    h('h2', { id: 'themes-heading' }, 'Tag with a theme'),
    h('p', { class: 'hint' }, 'Select reflections, then press a theme’s number or choose it here. Choosing it again takes it off.'),
    view.themeList,
    h('form', { class: 'inline-form', onsubmit: (event) => addTheme(view, event) },
      h('label', { for: 'new-theme-name' }, 'New theme'),
      view.newTheme,
      h('button', { type: 'submit', class: 'button button-secondary' }, 'Add theme')),
    view.themeProblem);
}

// ---- A reflection in its context.

async function open(view, hit, { keepFocus = false } = {}) {
  if (!hit) return;
  const { detail } = view;
  view.opened = hit;
  let context;
  try {
    context = await api.reflectionContext(hit.id);
  } catch (e) {
    fill(detail, errorMessage(e));
    detail.hidden = false;
    return;
  }
  const r = context.reflection;
  const chip = (key, value, label) => async () => { view.chips[key] = { value, label }; drawChips(view); await search(view); view.list.focus(); };
  fill(detail,
    h('h2', { id: 'detail-heading', tabindex: '-1' }, 'Reflection'),
    h('blockquote', { class: 'detail-text' }, h('p', {}, r.text)),
    facts([
      ['Said by', r.participant ?? 'Anonymous'],
      ['Sent', r.sent_from === 'phone' ? 'From a phone, during the session' : 'Typed at the laptop'],
      ['Session', r.session],
      ['Place', r.place || (r.version ? 'National' : 'One-off session')],
      ['Date', formatDate(r.date)],
      ['Agenda item', r.item],
      ['Prompt', r.prompt],
    ]),
    h('h3', {}, 'Themes'),
    r.themes.length
      ? h('ul', { class: 'detail-themes' }, r.themes.map((t) => h('li', {},
        h('span', { class: 'tag' }, t.name),
        h('label', { class: 'check' }, h('input', {
          type: 'checkbox', checked: t.quote, 'data-quote': t.id,
          onchange: async (e) => { await saving(api.chooseQuote(r.id, t.id, e.target.checked)); },
        }), ' Quote in the learning summary'),
        h('button', { type: 'button', class: 'link-button', onclick: async () => { await saving(api.untagReflections(t.id, [r.id])); await refreshThemes(view); } }, `Remove “${t.name}”`))))
      : h('p', { class: 'muted' }, 'No themes yet.'),
    h('div', { class: 'button-row' },
      r.prompt ? h('button', { type: 'button', class: 'button button-secondary', onclick: chip('prompt', r.prompt, `Prompt: ${r.prompt}`) }, 'Everyone’s answers to this prompt') : null,
      r.participant_id ? h('button', { type: 'button', class: 'button button-secondary', onclick: chip('participant_id', r.participant_id, `Said by ${r.participant}`) }, `Everything ${r.participant} said`) : null,
      h('button', { type: 'button', class: 'button button-secondary', onclick: chip('session_id', r.session_id, `Session: ${r.session}`) }, 'Everything said in this session'),
      r.item ? h('button', { type: 'button', class: 'button button-secondary', onclick: chip('agenda_item_id', r.agenda_item_id, `Agenda item: ${r.item}`) }, 'Everything said in this agenda item') : null),
    h('h3', {}, `Others answering the same prompt in this session (${context.others.length})`),
    context.others.length
      ? h('ul', { class: 'others' }, context.others.map((o) => h('li', {}, h('p', { class: 'result-text' }, o.text), h('p', { class: 'result-meta' }, o.participant ?? 'Anonymous'))))
      : h('p', { class: 'muted' }, 'Nobody else answered it.'));
  detail.hidden = false;
  if (!keepFocus) {
    const side = detail.parentElement;
    side.scrollTop = detail.offsetTop; // the sticky column is the offset parent
    if (document.activeElement !== view.list) detail.querySelector('h2').focus();
  }
}

function drawChips(view) {
  const entries = Object.entries(view.chips).filter(([, v]) => v);
  fill(view.chipList, entries.map(([key, { label }]) => h('li', { class: 'chip' }, label,
    h('button', { type: 'button', class: 'link-button', 'aria-label': `Stop filtering: ${label}`, onclick: async () => { delete view.chips[key]; drawChips(view); await search(view); } }, '✕'))));
  view.chipList.hidden = !entries.length;
}

/** Every way the screen is driven: typing, the filters, scrolling, keys and clicks. */
function listen(view) {
  const { input, version, list } = view;
  list.addEventListener('scroll', () => {
    if (view.frame) return;
    view.frame = requestAnimationFrame(() => { view.frame = 0; draw(view); });
  });
  list.addEventListener('keydown', (event) => listKeys(view, event));
  list.addEventListener('focus', () => {
    if (view.active < 0 && rowCount(view)) { view.active = 0; draw(view); }
  });
  list.addEventListener('click', (event) => listClick(view, event));
  input.addEventListener('input', () => { clearTimeout(view.timer); view.timer = setTimeout(() => search(view), 150); });
  for (const control of [version, view.theme, view.sector, view.from, view.to, view.sort]) control.addEventListener('change', () => search(view));
  version.addEventListener('change', () => {
    const v = version.value;
    rememberProgramme(v.startsWith('programme:') ? v.slice('programme:'.length) : view.versions.find((x) => x.version.id === v)?.programme.id);
  });
}

export async function reflectionsScreen() {
  const [programmes, themeLines] = await Promise.all([api.listProgrammes(), api.listThemes()]);
  const view = reflectionsView(programmes, themeLines);
  fillThemeFilter(view);
  drawThemes(view);
  drawChips(view);
  listen(view);
  await search(view);

  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const node = h('div', { class: 'main-wide reflections' },
    heading('Reflections', 'What participants said, across every session and place. ', h('a', { href: '#/themes' }, 'Themes and summaries')),
    h('div', { class: 'field' },
      h('label', { for: 'reflection-search' }, 'Search reflections'),
      h('span', { class: 'hint', id: 'reflection-search-hint' }, 'Words match their other forms (listening finds listen), and the word you are typing matches the start of words (trus finds trust); put "words in quotes" to find them together.'),
      view.input),
    h('div', { class: 'filters field-row' },
      field('filter-version', 'Programme and place', view.version),
      field('filter-theme', 'Theme', view.theme),
      field('filter-sector', 'Sector', view.sector),
      field('filter-from', 'From', view.from),
      field('filter-to', 'To', view.to),
      h('p', { class: 'hint filter-dates-hint', id: 'filter-dates-hint' }, `Dates: ${DATE_HINT.toLowerCase()}.`),
      field('filter-sort', 'Order', view.sort)),
    view.chipList,
    h('div', { class: 'count-row' }, view.count, view.selection),
    view.problem,
    h('div', { class: 'reflections-layout' },
      h('div', { class: 'reflections-list' }, view.list,
        h('p', { class: 'hint', id: 'list-keys' },
          'Arrow keys move, Space selects, Shift+arrows select a run, Ctrl+A selects all, Enter opens. Press a theme’s number to tag the selection with it.')),
      h('aside', { class: 'reflections-side', 'aria-label': 'Themes and the reflection opened' },
        themePanel(view),
        view.detail)));
  return { title: 'Reflections', place: 'reflections', node, focus: null };
}
