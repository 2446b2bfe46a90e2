// Themes and what they show: reflections per theme in each place, over a cohort's sessions,
// one place against another; charts that can be saved as images, the same figures as tables;
// the learning summary; and renaming, merging and deleting themes.

import { api } from '../api.js';
import { barChart, MAX_SERIES, svgText } from '../chart.js';
import { fill, h, heading } from '../dom.js';
import { field } from '../fields.js';
import { errorMessage, notify, saving } from '../feedback.js';
import { refresh } from '../navigation.js';
import { rememberedProgramme, rememberProgramme } from '../remember.js';

function summaryTable(caption, summary) {
  return h('table', { class: 'table summary-table', 'data-testid': 'summary-table' },
    h('caption', {}, caption),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Theme'),
      summary.columns.map((c) => h('th', { scope: 'col' }, c.label, c.detail ? h('span', { class: 'small' }, ` (${c.detail})`) : null)),
      h('th', { scope: 'col' }, 'All'))),
    h('tbody', {}, summary.rows.map((r) => h('tr', { 'data-theme': r.theme },
      h('th', { scope: 'row' }, r.theme), r.counts.map((n) => h('td', {}, String(n))), h('td', { 'data-total': '' }, String(r.total))))),
    h('tfoot', {}, h('tr', {}, h('th', { scope: 'row' }, 'Reflections'), summary.columns.map((c) => h('td', {}, String(c.reflections))), h('td', {}, ''))));
}

function chartBlock(title, chart) {
  const result = h('p', { role: 'status', class: 'hint' });
  return h('figure', { class: 'chart-block' }, chart,
    h('figcaption', {},
      h('button', { type: 'button', class: 'button button-secondary', id: 'save-chart', onclick: async () => {
        try {
          const path = await api.saveChart(title, svgText(chart));
          fill(result, path ? ['Saved the chart: ', h('code', {}, path)] : 'Nothing was saved.');
        } catch (e) {
          fill(result, errorMessage(e, 'span'));
        }
      } }, 'Save chart as image…'),
      result));
}

export async function themesScreen() {
  const [programmes, themes] = await Promise.all([api.listProgrammes(), api.listThemes()]);
  const withVersions = programmes.filter((p) => p.versions.length);
  const places = withVersions.flatMap(({ programme, versions }) => versions.map(({ version }) => ({
    id: version.id, label: version.kind === 'local' ? `${programme.title}: ${version.place}` : `${programme.title}: national`, programme: programme.id,
  })));

  // ---- What to show
  const programme = h('select', { id: 'summary-programme' }, withVersions.map(({ programme: p }) => h('option', { value: p.id }, p.title)));
  // Opens on the programme last worked on (tagged or chosen), not simply the first.
  if (withVersions.some(({ programme: p }) => p.id === rememberedProgramme())) programme.value = rememberedProgramme();
  programme.addEventListener('change', () => rememberProgramme(programme.value));
  const view = h('select', { id: 'summary-view' },
    h('option', { value: 'place' }, 'Themes in each place'),
    h('option', { value: 'session' }, 'Themes over a cohort’s sessions'),
    h('option', { value: 'compare' }, 'Compare two places'));
  const placeA = h('select', { id: 'summary-place-a' });
  const placeB = h('select', { id: 'summary-place-b' });
  const fillPlaces = () => {
    const mine = places.filter((p) => p.programme === programme.value);
    for (const [select, n] of [[placeA, 0], [placeB, 1]]) {
      const chosen = select.value;
      fill(select, mine.map((p) => h('option', { value: p.id }, p.label)));
      if (mine.some((p) => p.id === chosen)) select.value = chosen;
      else if (mine[n]) select.value = mine[n].id;
    }
  };
  fillPlaces();
  const labelled = (id, label, control) => h('div', { class: 'field' }, h('label', { for: id }, label), control);
  const placeAField = labelled('summary-place-a', 'Place', placeA);
  const placeBField = labelled('summary-place-b', 'Against', placeB);
  const output = h('div', { id: 'summary-output', 'aria-live': 'polite' });

  async function show() {
    const v = view.value;
    placeAField.hidden = v === 'place';
    placeBField.hidden = v !== 'compare';
    fill(placeAField.querySelector('label'), v === 'compare' ? 'Place' : 'Cohort');
    if (!programme.value) {
      fill(output, h('p', { class: 'muted' }, 'Make a programme with a version first.'));
      return;
    }
    try {
      if (v === 'compare') {
        const c = await api.comparePlaces(placeA.value, placeB.value);
        const rows = [...c.only_a, ...c.both, ...c.only_b];
        const title = `Themes: ${c.a} and ${c.b}`;
        const list = (heading, items, id) => h('section', { class: 'compare-list', 'aria-labelledby': id },
          h('h3', { id }, heading),
          items.length ? h('ul', {}, items.map((t) => h('li', {}, `${t.theme} (${Math.max(t.a, t.b)})`))) : h('p', { class: 'muted' }, 'None'));
        fill(output,
          h('div', { class: 'compare' },
            list(`Only in ${c.a}`, c.only_a, 'only-a'),
            list(`Only in ${c.b}`, c.only_b, 'only-b'),
            list('In both', c.both.map((t) => ({ ...t, a: t.a + t.b })), 'in-both')),
          chartBlock(title, barChart({ title, categories: rows.map((t) => t.theme), series: [{ label: c.a, values: rows.map((t) => t.a) }, { label: c.b, values: rows.map((t) => t.b) }] })),
          h('table', { class: 'table', 'data-testid': 'summary-table' }, h('caption', {}, title),
            h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Theme'), h('th', { scope: 'col' }, c.a), h('th', { scope: 'col' }, c.b))),
            h('tbody', {}, rows.map((t) => h('tr', { 'data-theme': t.theme }, h('th', { scope: 'row' }, t.theme), h('td', {}, String(t.a)), h('td', {}, String(t.b)))))));
        return;
      }
      const breakdown = v === 'place' ? 'place' : 'session';
      const scope = v === 'place' ? { programme_id: programme.value, version_id: null } : { programme_id: null, version_id: placeA.value || null };
      const summary = await api.themeSummary(scope, breakdown);
      const name = programme.selectedOptions[0]?.textContent ?? '';
      const title = v === 'place' ? `${name}: themes in each place` : `${placeA.selectedOptions[0]?.textContent ?? ''}: themes session by session`;
      // A chart stays readable with a few bars per theme; the table always has every column.
      const series = summary.columns.length <= MAX_SERIES
        ? summary.columns.map((c, n) => ({ label: c.label, values: summary.rows.map((r) => r.counts[n]) }))
        : [{ label: 'All', values: summary.rows.map((r) => r.total) }];
      fill(output,
        summary.rows.length ? null : h('p', { class: 'muted' }, 'No reflections here are coded with themes yet. Tag some on the Reflections screen.'),
        chartBlock(title, barChart({ title, categories: summary.rows.map((r) => r.theme), series })),
        summary.columns.length > MAX_SERIES ? h('p', { class: 'hint' }, `The chart shows totals; the table shows each of the ${summary.columns.length} columns.`) : null,
        summaryTable(title, summary));
    } catch (e) {
      fill(output, errorMessage(e));
    }
  }
  programme.addEventListener('change', () => { fillPlaces(); show(); });
  for (const control of [view, placeA, placeB]) control.addEventListener('change', show);
  await show();

  // ---- The learning summary
  const format = h('select', { id: 'learning-format' }, h('option', { value: 'html' }, 'Web page (HTML), for printing'), h('option', { value: 'docx' }, 'Word document'));
  const learningResult = h('p', { role: 'status', class: 'hint' });
  const learning = h('section', { class: 'panel', 'aria-labelledby': 'learning-heading' },
    h('h2', { id: 'learning-heading' }, 'Learning summary'),
    h('p', {}, 'For the programme’s learning network: each theme with its count in every place, and the quotes you chose. Only participants who agreed to be quoted are quoted; they are named only if they agreed to that too.'),
    h('div', { class: 'field-row' }, labelled('learning-format', 'Save as', format)),
    h('button', { type: 'button', class: 'button', id: 'save-learning-summary', onclick: async () => {
      try {
        const path = await api.exportLearningSummary(programme.value, format.value);
        fill(learningResult, path ? ['Saved: ', h('code', {}, path)] : 'Nothing was saved.');
      } catch (e) {
        fill(learningResult, errorMessage(e, 'span'));
      }
    } }, 'Save learning summary…'),
    learningResult);

  // ---- For qualitative-analysis tools (REFI-QDA)
  const qdaResult = h('p', { role: 'status', class: 'hint', id: 'qda-result' });
  const saidPath = (what, path) => fill(qdaResult, path ? [`Saved ${what}: `, h('code', {}, path)] : 'Nothing was saved.');
  const qdaError = (e) => fill(qdaResult, errorMessage(e, 'span'));
  const codebookPreview = h('div', { id: 'codebook-preview' });
  const qda = h('section', { class: 'panel', 'aria-labelledby': 'qda-heading' },
    h('h2', { id: 'qda-heading' }, 'For NVivo, ATLAS.ti, MAXQDA and QualCoder'),
    h('p', {}, 'A REFI-QDA project of the programme’s reflections with their themes as codes, for evaluators who analyse them in their own tool. Participants are cases, named only if they agreed to be named; erased participants’ words are never included. A codebook shares the themes alone, with a team or another laptop.'),
    h('div', { class: 'actions' },
      h('button', { type: 'button', class: 'button', id: 'export-qdpx', onclick: async () => {
        try { saidPath('the project', await api.exportQdpx(programme.value || null)); } catch (e) { qdaError(e); }
      } }, 'Save coded reflections (.qdpx)…'),
      h('button', { type: 'button', class: 'button button-secondary', id: 'export-codebook', onclick: async () => {
        try { saidPath('the codebook', await api.exportCodebook()); } catch (e) { qdaError(e); }
      } }, 'Save themes as a codebook (.qdc)…'),
      h('button', { type: 'button', class: 'button button-secondary', id: 'choose-codebook', onclick: async () => {
        try {
          const plan = await api.chooseCodebook();
          if (!plan) { fill(codebookPreview); return; }
          const confirm = h('button', { type: 'button', class: 'button', id: 'import-codebook', disabled: plan.to_add.length ? null : true, onclick: async () => {
            try {
              const done = await saving(api.importChosenCodebook());
              notify(`Added ${done.to_add.length === 1 ? '1 theme' : `${done.to_add.length} themes`} from the codebook.`);
              await refresh('qda-heading');
            } catch (e) { qdaError(e); }
          } }, plan.to_add.length === 1 ? 'Add 1 theme' : `Add ${plan.to_add.length} themes`);
          fill(codebookPreview, h('div', { class: 'panel', 'aria-labelledby': 'codebook-preview-heading' },
            h('h3', { id: 'codebook-preview-heading' }, 'The codebook'),
            plan.to_add.length ? h('ul', { 'data-testid': 'codebook-new' }, plan.to_add.map((c) => h('li', {}, c.name))) : h('p', {}, 'Every code in it is already a theme: nothing to add.'),
            plan.existing.length ? h('p', { class: 'hint' }, `Already themes: ${plan.existing.join(', ')}.`) : null,
            plan.refused.length ? h('ul', { class: 'field-error' }, plan.refused.map((r) => h('li', {}, r))) : null,
            confirm));
          confirm.focus();
        } catch (e) { qdaError(e); }
      } }, 'Add themes from a codebook (.qdc)…')),
    qdaResult,
    codebookPreview);

  // ---- Managing themes
  const manage = h('section', { class: 'panel', 'aria-labelledby': 'manage-heading' },
    h('h2', { id: 'manage-heading' }, 'Your themes'),
    themes.length ? h('ul', { class: 'theme-manage' }, themes.map((t) => {
      const name = field({ label: `Name (${t.reflections} reflections)`, value: t.theme.name, attrs: { id: `theme-name-${t.theme.id}`, maxlength: 80 }, save: (value) => api.renameTheme(t.theme.id, value) });
      const others = themes.filter((o) => o.theme.id !== t.theme.id);
      const into = h('select', { id: `merge-into-${t.theme.id}` }, others.map((o) => h('option', { value: o.theme.id }, o.theme.name)));
      return h('li', { class: 'theme-manage-row', 'data-theme': t.theme.name },
        name.wrapper,
        others.length ? h('div', { class: 'field' }, h('label', { for: `merge-into-${t.theme.id}` }, 'Merge into'), into) : null,
        h('div', { class: 'actions' },
          others.length ? h('button', { type: 'button', class: 'button button-secondary', onclick: async () => {
            const target = others.find((o) => o.theme.id === into.value);
            try {
              await saving(api.mergeThemes(t.theme.id, into.value));
            } catch (e) {
              notify(e.message);
              return;
            }
            notify(`Merged “${t.theme.name}” into “${target.theme.name}”.`, async () => { await api.unmergeTheme(t.theme.id); await refresh('manage-heading'); });
            await refresh('manage-heading');
          } }, 'Merge') : null,
          h('button', { type: 'button', class: 'button button-warning', onclick: async () => {
            try {
              await saving(api.remove('theme', t.theme.id));
            } catch (e) {
              notify(e.message);
              return;
            }
            notify(`Deleted the theme “${t.theme.name}”. Its tags are hidden, not lost.`, async () => { await api.restore('theme', t.theme.id); await refresh('manage-heading'); });
            await refresh('manage-heading');
          } }, 'Delete')));
    })) : h('p', { class: 'muted' }, 'No themes yet. Add them on the Reflections screen while you read.'));

  return {
    title: 'Themes',
    place: 'themes',
    node: h('div', { class: 'main-wide' },
      heading('Themes', 'What came up where, and how it changed over a cohort’s sessions. ', h('a', { href: '#/reflections' }, 'Code reflections with themes')),
      h('section', { class: 'panel', 'aria-labelledby': 'summary-heading' },
        h('h2', { id: 'summary-heading' }, 'Summary'),
        h('div', { class: 'filters field-row' },
          labelled('summary-programme', 'Programme', programme),
          labelled('summary-view', 'Show', view),
          placeAField, placeBField),
        output),
      learning,
      qda,
      manage),
  };
}
