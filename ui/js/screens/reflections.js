// Reflections across every session: search (words by their stem, "quoted phrases"), filters,
// counts, and the matched words marked, as elements, never as HTML.

import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { plural } from '../format.js';

const PAGE = 50;
const START = '\u0002';
const END = '\u0003';

/** The text with matched words in <mark> elements, built from the marked string. */
function marked(text) {
  const parts = [];
  for (const piece of text.split(START)) {
    const [inside, ...after] = piece.split(END);
    if (after.length) {
      parts.push(h('mark', {}, inside), after.join(END));
    } else {
      parts.push(piece);
    }
  }
  return parts;
}

export async function reflectionsScreen() {
  const programmes = await api.listProgrammes();
  const versions = programmes.flatMap(({ programme, versions: vs }) => vs.map(({ version }) => ({ programme, version })));
  const state = { offset: 0 };
  const input = h('input', { id: 'reflection-search', type: 'search', autocomplete: 'off', 'aria-describedby': 'reflection-search-hint' });
  const version = h('select', { id: 'filter-version' }, h('option', { value: '' }, 'Every programme and place'),
    versions.map(({ programme, version: v }) => h('option', { value: v.id }, v.kind === 'local' ? `${programme.title}: ${v.place}` : `${programme.title}: national`)));
  const sector = h('select', { id: 'filter-sector' }, [['', 'Any sector'], ['public', 'Public'], ['private', 'Private'], ['voluntary', 'Voluntary'], ['community', 'Community']].map(([v, t]) => h('option', { value: v }, t)));
  const from = h('input', { id: 'filter-from', type: 'date' });
  const to = h('input', { id: 'filter-to', type: 'date' });
  const sort = h('select', { id: 'filter-sort' }, h('option', { value: 'newest' }, 'Newest first'), h('option', { value: 'relevance' }, 'Best match first'));
  const count = h('p', { class: 'count', role: 'status', 'aria-live': 'polite', 'data-testid': 'reflection-total' });
  const list = h('ol', { class: 'results', 'aria-label': 'Reflections found' });
  const more = h('button', { type: 'button', class: 'button button-secondary', id: 'show-more', hidden: true }, 'Show more');

  const query = () => ({
    text: input.value,
    version_id: version.value || null,
    sector: sector.value || null,
    from: from.value || null,
    to: to.value || null,
    sort: sort.value,
    limit: PAGE,
    offset: state.offset,
  });
  let asked = 0;
  const run = async (append) => {
    const ticket = ++asked;
    if (!append) state.offset = 0;
    try {
      const result = await api.searchReflections(query());
      if (ticket !== asked) return;
      count.textContent = `${plural(result.total, 'reflection')}${input.value.trim() ? ' match' : ''}`;
      const items = result.hits.map((hit) => h('li', { class: 'result', 'data-testid': 'reflection-hit' },
        h('p', { class: 'result-text' }, marked(hit.marked)),
        h('p', { class: 'result-meta' }, [hit.session, hit.place || (hit.version ? 'national' : 'one-off'), hit.date, hit.participant ?? 'Anonymous'].filter(Boolean).join(' · '))));
      if (append) list.append(...items);
      else fill(list, items);
      state.offset += result.hits.length;
      more.hidden = state.offset >= result.total;
    } catch (e) {
      fill(list, h('li', { class: 'field-error', role: 'alert' }, e.message));
    }
  };
  let timer;
  input.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => run(false), 150); });
  for (const control of [version, sector, from, to, sort]) control.addEventListener('change', () => run(false));
  more.addEventListener('click', () => run(true));
  await run(false);

  const field = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  return {
    title: 'Reflections',
    place: 'reflections',
    node: h('div', { class: 'main-wide' },
      h('h1', {}, 'Reflections'),
      h('p', { class: 'lead' }, 'What participants said, across every session and place.'),
      h('div', { class: 'field' },
        h('label', { for: 'reflection-search' }, 'Search reflections'),
        h('span', { class: 'hint', id: 'reflection-search-hint' }, 'Words match their other forms (listening finds listen); put "words in quotes" to find them together.'),
        input),
      h('div', { class: 'filters field-row' },
        field('filter-version', 'Programme and place', version),
        field('filter-sector', 'Sector', sector),
        field('filter-from', 'From', from),
        field('filter-to', 'To', to),
        field('filter-sort', 'Order', sort)),
      count, list, more),
    focus: null,
  };
}
