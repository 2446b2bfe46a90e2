// Reflections across every session: search (words by their stem, "quoted phrases"), filters,
// counts, a list that draws only the rows in view (so 100,000 results scroll smoothly), coding
// with themes by keyboard, and a reflection opened in its context. User text is only ever
// set as text, never as HTML.

import { api } from '../api.js';
import { choices } from '../choices.js';
import { facts, fill, h } from '../dom.js';
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

export async function reflectionsScreen() {
  const [programmes, themeLines] = await Promise.all([api.listProgrammes(), api.listThemes()]);
  const versions = programmes.flatMap(({ programme, versions: vs }) => vs.map(({ version }) => ({ programme, version })));
  const placeName = (v, programme) => (v.kind === 'local' ? `${programme.title}: ${v.place}` : `${programme.title}: national`);

  const state = {
    total: 0,
    pages: new Map(), // page number -> hits
    asked: new Set(),
    generation: 0,
    active: -1,
    anchor: -1,
    selected: new Map(), // id -> hit
    themes: themeLines,
    chips: {}, // participant_id, agenda_item_id, prompt: { value, label }
  };

  // ---- Controls
  const input = h('input', { id: 'reflection-search', type: 'search', autocomplete: 'off', 'aria-describedby': 'reflection-search-hint' });
  // A whole programme, or one of its versions (national or a place).
  const version = h('select', { id: 'filter-version' }, h('option', { value: '' }, 'Every programme and place'),
    programmes.filter((p) => p.versions.length).map(({ programme, versions: vs }) => h('optgroup', { label: programme.title },
      h('option', { value: `programme:${programme.id}` }, `${programme.title}: every place`),
      vs.map(({ version: v }) => h('option', { value: v.id }, placeName(v, programme))))));
  const theme = h('select', { id: 'filter-theme' });
  const sector = h('select', { id: 'filter-sector' }, h('option', { value: '' }, 'Any sector'), choices.sectors.filter((c) => c.value).map((c) => h('option', { value: c.value }, c.label)));
  const dateInput = (id) => h('input', { id, type: 'text', class: 'date-input', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'filter-dates-hint' });
  const from = dateInput('filter-from');
  const to = dateInput('filter-to');
  // The dates as typed (dd/mm/yyyy), read as ISO; a date that cannot be read is said so.
  const dayOf = (input) => {
    try {
      input.removeAttribute('aria-invalid');
      return readDate(input.value);
    } catch (e) {
      input.setAttribute('aria-invalid', 'true');
      throw e;
    }
  };
  const sort = h('select', { id: 'filter-sort' }, h('option', { value: 'newest' }, 'Newest first'), h('option', { value: 'relevance' }, 'Best match first'));
  const chipList = h('ul', { class: 'chips', 'aria-label': 'Also filtered by' });
  const count = h('p', { class: 'count', role: 'status', 'aria-live': 'polite', 'data-testid': 'reflection-total' });
  const selection = h('p', { class: 'selection-count', id: 'selection-count', 'aria-live': 'polite' });
  const problem = h('div', { class: 'problem' });

  const fillThemeFilter = () => {
    const chosen = theme.value;
    fill(theme, h('option', { value: '' }, 'Any theme'), h('option', { value: 'none' }, 'No theme yet'),
      state.themes.map((t) => h('option', { value: t.theme.id }, t.theme.name)));
    theme.value = [...theme.options].some((o) => o.value === chosen) ? chosen : '';
  };
  fillThemeFilter();

  // ---- The list: only the rows in view are drawn.
  const spacer = h('div', { class: 'vlist-spacer' });
  const list = h('div', {
    class: 'vlist', id: 'reflection-list', role: 'listbox', tabindex: '0', 'aria-multiselectable': 'true',
    'aria-label': 'Reflections found', 'aria-describedby': 'list-keys',
  }, spacer);
  const keys = h('p', { class: 'hint', id: 'list-keys' },
    'Arrow keys move, Space selects, Shift+arrows select a run, Ctrl+A selects all, Enter opens. Press a theme’s number to tag the selection with it.');

  const rows = () => Math.min(state.total, MAX_ROWS);
  const hitAt = (i) => state.pages.get(Math.floor(i / PAGE))?.[i % PAGE];

  const query = (offset, limit) => ({
    text: input.value,
    as_you_type: true,
    programme_id: version.value.startsWith('programme:') ? version.value.slice('programme:'.length) : null,
    version_id: version.value && !version.value.startsWith('programme:') ? version.value : null,
    theme_id: theme.value && theme.value !== 'none' ? theme.value : null,
    untagged: theme.value === 'none',
    sector: sector.value || null,
    from: dayOf(from),
    to: dayOf(to),
    participant_id: state.chips.participant_id?.value ?? null,
    session_id: state.chips.session_id?.value ?? null,
    agenda_item_id: state.chips.agenda_item_id?.value ?? null,
    prompt: state.chips.prompt?.value ?? null,
    sort: sort.value,
    limit,
    offset,
  });

  const loadPage = async (page) => {
    if (state.pages.has(page) || state.asked.has(page)) return;
    const generation = state.generation;
    state.asked.add(page);
    try {
      const result = await api.searchReflections(query(page * PAGE, PAGE));
      if (generation !== state.generation) return;
      state.pages.set(page, result.hits);
      // Forget pages far from the ones in view, so memory stays flat however far one scrolls.
      if (state.pages.size > KEEP_PAGES) {
        const here = Math.floor(list.scrollTop / ROW / PAGE);
        const far = [...state.pages.keys()].sort((a, b) => Math.abs(b - here) - Math.abs(a - here));
        for (const p of far.slice(0, state.pages.size - KEEP_PAGES)) state.pages.delete(p);
      }
      draw();
    } catch (e) {
      fill(problem, errorMessage(e));
    } finally {
      state.asked.delete(page);
    }
  };

  const rowFor = (i) => {
    const hit = hitAt(i);
    const id = `hit-${i}`;
    const common = { id, role: 'option', class: 'vrow', 'aria-setsize': rows(), 'aria-posinset': i + 1, 'data-index': i };
    let row;
    if (!hit) {
      row = h('div', { ...common, 'aria-selected': 'false', 'data-loading': '' }, h('p', { class: 'vrow-text muted' }, 'Loading…'));
    } else {
      const chosen = state.selected.has(hit.id);
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
    if (i === state.active) row.classList.add('vrow-active');
    row.style.transform = `translateY(${i * ROW}px)`;
    return row;
  };

  function draw() {
    spacer.style.height = `${rows() * ROW}px`;
    const first = Math.max(0, Math.floor(list.scrollTop / ROW) - 4);
    const last = Math.min(rows(), Math.ceil((list.scrollTop + list.clientHeight) / ROW) + 4);
    for (let p = Math.floor(first / PAGE); p <= Math.floor(Math.max(first, last - 1) / PAGE) && p * PAGE < rows(); p += 1) {
      loadPage(p);
    }
    const items = [];
    for (let i = first; i < last; i += 1) items.push(rowFor(i));
    fill(spacer, items);
    if (state.active >= first && state.active < last) list.setAttribute('aria-activedescendant', `hit-${state.active}`);
    else list.removeAttribute('aria-activedescendant');
    selection.textContent = state.selected.size ? `${plural(state.selected.size, 'reflection')} selected` : '';
  }
  let frame = 0;
  list.addEventListener('scroll', () => {
    if (frame) return;
    frame = requestAnimationFrame(() => { frame = 0; draw(); });
  });

  let asked = 0;
  async function search({ keepPlace = false } = {}) {
    const ticket = ++asked;
    fill(problem);
    try {
      const result = await api.searchReflections(query(0, PAGE));
      if (ticket !== asked) return;
      state.generation += 1;
      state.pages = new Map([[0, result.hits]]);
      state.total = result.total;
      if (!keepPlace) {
        list.scrollTop = 0;
        state.active = -1;
        state.anchor = -1;
      }
      state.active = Math.min(state.active, rows() - 1);
      const matching = input.value.trim() ? ' match' : '';
      count.textContent = `${plural(result.total, 'reflection')}${matching}`
        + (result.total > MAX_ROWS ? `. The list shows the first ${MAX_ROWS.toLocaleString('en-GB')}: narrow the search to see the rest.` : '');
      draw();
    } catch (e) {
      fill(problem, errorMessage(e));
    }
  }

  // ---- Selecting and moving, by keyboard and mouse.
  const scrollIntoView = (i) => {
    const top = i * ROW;
    if (top < list.scrollTop) list.scrollTop = top;
    else if (top + ROW > list.scrollTop + list.clientHeight) list.scrollTop = top + ROW - list.clientHeight;
  };
  const moveTo = (i, { extend = false } = {}) => {
    if (!rows()) return;
    const next = Math.max(0, Math.min(rows() - 1, i));
    if (extend) {
      if (state.anchor < 0) state.anchor = state.active >= 0 ? state.active : next;
      selectRange(state.anchor, next);
    } else {
      state.anchor = next;
    }
    state.active = next;
    scrollIntoView(next);
    draw();
  };
  const selectRange = (a, b) => {
    const [lo, hi] = a < b ? [a, b] : [b, a];
    for (let i = lo; i <= hi; i += 1) {
      const hit = hitAt(i);
      if (hit && state.selected.size < MAX_BATCH) state.selected.set(hit.id, hit);
    }
  };
  const toggle = (i) => {
    const hit = hitAt(i);
    if (!hit) return;
    if (state.selected.has(hit.id)) state.selected.delete(hit.id);
    else if (state.selected.size < MAX_BATCH) state.selected.set(hit.id, hit);
    draw();
  };
  const selectAll = async () => {
    if (state.total > MAX_BATCH) {
      notify(`Select at most ${MAX_BATCH.toLocaleString('en-GB')} at a time: narrow the search first.`);
      return;
    }
    const result = await api.searchReflections(query(0, 500));
    let hits = result.hits;
    for (let offset = 500; offset < result.total; offset += 500) {
      hits = hits.concat((await api.searchReflections(query(offset, 500))).hits);
    }
    for (const hit of hits) state.selected.set(hit.id, hit);
    draw();
  };

  list.addEventListener('keydown', (event) => {
    const page = Math.max(1, Math.floor(list.clientHeight / ROW) - 1);
    const at = state.active < 0 ? -1 : state.active;
    const shift = event.shiftKey;
    let handled = true;
    if (event.key === 'ArrowDown') moveTo(at + 1, { extend: shift });
    else if (event.key === 'ArrowUp') moveTo(at - 1, { extend: shift });
    else if (event.key === 'PageDown') moveTo(at + page, { extend: shift });
    else if (event.key === 'PageUp') moveTo(at - page, { extend: shift });
    else if (event.key === 'Home') moveTo(0, { extend: shift });
    else if (event.key === 'End') moveTo(rows() - 1, { extend: shift });
    else if (event.key === ' ') { if (at >= 0) toggle(at); }
    else if (event.key === 'Enter') { if (at >= 0) open(hitAt(at)); }
    else if (event.key === 'Escape') { state.selected.clear(); draw(); }
    else if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 'a') selectAll();
    else if (/^[1-9]$/.test(event.key) && !event.ctrlKey && !event.altKey && !event.metaKey) {
      const t = state.themes[Number(event.key) - 1];
      if (t) applyTheme(t.theme);
    } else handled = false;
    if (handled) event.preventDefault();
  });
  list.addEventListener('focus', () => {
    if (state.active < 0 && rows()) { state.active = 0; draw(); }
  });
  list.addEventListener('click', (event) => {
    const row = event.target.closest('.vrow');
    if (!row || row.dataset.loading !== undefined) return;
    const i = Number(row.dataset.index);
    if (event.shiftKey) { selectRange(state.anchor >= 0 ? state.anchor : i, i); state.active = i; draw(); return; }
    if (event.ctrlKey || event.metaKey) { state.active = i; state.anchor = i; toggle(i); return; }
    state.active = i;
    state.anchor = i;
    draw();
    open(hitAt(i));
  });

  // ---- Themes: tag the selection (or the reflection in view) with a theme.
  const themeList = h('ol', { class: 'theme-keys', id: 'theme-keys' });
  const newTheme = h('input', { id: 'new-theme-name', type: 'text', autocomplete: 'off', maxlength: 80 });
  const themeProblem = h('div', { class: 'problem' });
  const targets = () => {
    if (state.selected.size) return [...state.selected.values()];
    const hit = state.active >= 0 ? hitAt(state.active) : null;
    return hit ? [hit] : [];
  };
  async function applyTheme(t) {
    const chosen = targets();
    if (!chosen.length) {
      notify('Select reflections first: Space selects the one in view.');
      return;
    }
    const ids = chosen.map((hit) => hit.id);
    rememberProgramme(programmes.find(({ programme }) => programme.title === chosen[0].programme)?.programme.id);
    const everyHasIt = chosen.every((hit) => hit.themes.some((x) => x.id === t.id));
    try {
      if (everyHasIt) {
        const n = await saving(api.untagReflections(t.id, ids));
        notify(`Took “${t.name}” off ${plural(n, 'reflection')}.`, async () => { await api.tagReflections(t.id, ids); await refresh(); });
      } else {
        const n = await saving(api.tagReflections(t.id, ids));
        notify(`Tagged ${plural(n, 'reflection')} with “${t.name}”.`, async () => { await api.untagReflections(t.id, ids); await refresh(); });
      }
      await refresh();
    } catch (e) {
      fill(themeProblem, errorMessage(e));
    }
  }
  async function refresh() {
    state.themes = await api.listThemes();
    fillThemeFilter();
    drawThemes();
    // Tags show on the rows, and a theme filter may now match more or fewer.
    await search({ keepPlace: true });
    const loaded = new Map([...state.pages.values()].flat().map((x) => [x.id, x]));
    for (const [id, hit] of state.selected) state.selected.set(id, loaded.get(id) ?? hit);
    if (opened) open(opened, { keepFocus: true });
    draw();
  }
  function drawThemes() {
    fill(themeList, state.themes.map((t, n) => h('li', {},
      h('button', { type: 'button', class: 'theme-key', 'data-theme': t.theme.id, onclick: () => applyTheme(t.theme) },
        n < 9 ? h('kbd', {}, String(n + 1)) : null,
        h('span', { class: 'theme-key-name' }, t.theme.name),
        h('span', { class: 'theme-key-count' }, t.reflections.toLocaleString('en-GB'))))));
    if (!state.themes.length) fill(themeList, h('li', { class: 'muted' }, 'No themes yet. Add the first below.'));
  }
  drawThemes();
  const addTheme = async (event) => {
    event.preventDefault();
    fill(themeProblem);
    try {
      const made = await saving(api.createTheme(newTheme.value));
      newTheme.value = '';
      state.themes = await api.listThemes();
      fillThemeFilter();
      drawThemes();
      notify(`Added the theme “${made.name}”.`);
    } catch (e) {
      fill(themeProblem, errorMessage(e));
      newTheme.focus();
    }
  };

  // ---- A reflection in its context.
  const detail = h('section', { class: 'panel reflection-detail', id: 'reflection-detail', 'aria-labelledby': 'detail-heading', hidden: true });
  let opened = null;
  async function open(hit, { keepFocus = false } = {}) {
    if (!hit) return;
    opened = hit;
    let context;
    try {
      context = await api.reflectionContext(hit.id);
    } catch (e) {
      fill(detail, errorMessage(e));
      detail.hidden = false;
      return;
    }
    const r = context.reflection;
    const chip = (key, value, label) => async () => { state.chips[key] = { value, label }; drawChips(); await search(); list.focus(); };
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
          h('button', { type: 'button', class: 'link-button', onclick: async () => { await saving(api.untagReflections(t.id, [r.id])); await refresh(); } }, `Remove “${t.name}”`))))
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
      if (document.activeElement !== list) detail.querySelector('h2').focus();
    }
  }

  function drawChips() {
    const entries = Object.entries(state.chips).filter(([, v]) => v);
    fill(chipList, entries.map(([key, { label }]) => h('li', { class: 'chip' }, label,
      h('button', { type: 'button', class: 'link-button', 'aria-label': `Stop filtering: ${label}`, onclick: async () => { delete state.chips[key]; drawChips(); await search(); } }, '✕'))));
    chipList.hidden = !entries.length;
  }
  drawChips();

  let timer;
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => search(), 150); });
  for (const control of [version, theme, sector, from, to, sort]) control.addEventListener('change', () => search());
  version.addEventListener('change', () => {
    const v = version.value;
    rememberProgramme(v.startsWith('programme:') ? v.slice('programme:'.length) : versions.find((x) => x.version.id === v)?.programme.id);
  });
  await search();

  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const node = h('div', { class: 'main-wide reflections' },
    h('h1', {}, 'Reflections'),
    h('p', { class: 'lead' }, 'What participants said, across every session and place. ', h('a', { href: '#/themes' }, 'Themes and summaries')),
    h('div', { class: 'field' },
      h('label', { for: 'reflection-search' }, 'Search reflections'),
      h('span', { class: 'hint', id: 'reflection-search-hint' }, 'Words match their other forms (listening finds listen), and the word you are typing matches the start of words (trus finds trust); put "words in quotes" to find them together.'),
      input),
    h('div', { class: 'filters field-row' },
      field('filter-version', 'Programme and place', version),
      field('filter-theme', 'Theme', theme),
      field('filter-sector', 'Sector', sector),
      field('filter-from', 'From', from),
      field('filter-to', 'To', to),
      h('p', { class: 'hint filter-dates-hint', id: 'filter-dates-hint' }, `Dates: ${DATE_HINT.toLowerCase()}.`),
      field('filter-sort', 'Order', sort)),
    chipList,
    h('div', { class: 'count-row' }, count, selection),
    problem,
    h('div', { class: 'reflections-layout' },
      h('div', { class: 'reflections-list' }, list, keys),
      h('aside', { class: 'reflections-side', 'aria-label': 'Themes and the reflection opened' },
        h('section', { class: 'panel', 'aria-labelledby': 'themes-heading' },
          h('h2', { id: 'themes-heading' }, 'Tag with a theme'),
          h('p', { class: 'hint' }, 'Select reflections, then press a theme’s number or choose it here. Choosing it again takes it off.'),
          themeList,
          h('form', { class: 'inline-form', onsubmit: addTheme },
            h('label', { for: 'new-theme-name' }, 'New theme'),
            newTheme,
            h('button', { type: 'submit', class: 'button button-secondary' }, 'Add theme')),
          themeProblem),
        detail)));
  return { title: 'Reflections', place: 'reflections', node, focus: null };
}
