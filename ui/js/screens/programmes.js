// Programmes: the list of programmes, and one programme with its versions.

import { api } from '../api.js';
import { breadcrumbs, h, link, tags } from '../dom.js';
import { cohort, month, plural } from '../format.js';

function versionLine({ version, sessions }) {
  const local = version.kind === 'local';
  const dates = local && version.cohort_start ? `${month(version.cohort_start)} to ${month(version.cohort_end)}` : null;
  return h('li', {},
    h('span', {},
      link(`/versions/${version.id}`, version.name), ' ',
      h('span', { class: `badge ${local ? '' : 'badge-national'}` }, local ? `Local: ${version.place}` : 'National')),
    h('span', { class: 'muted' }, [plural(sessions, 'session'), dates].filter(Boolean).join(' · ')));
}

export async function programmesScreen() {
  const programmes = await api.listProgrammes();
  const list = programmes.length
    ? h('ul', { class: 'card-list' }, programmes.map(({ programme, versions }) =>
      h('li', { class: 'card' },
        h('h2', {}, link(`/programmes/${programme.id}`, programme.title)),
        h('p', {}, programme.summary || programme.purpose),
        tags(programme.themes, `Themes of ${programme.title}`),
        h('h3', { class: 'visually-hidden' }, `Versions of ${programme.title}`),
        h('ul', { class: 'version-list' }, versions.map(versionLine)))))
    : h('div', { class: 'empty' },
      h('p', {}, 'There are no programmes yet.'),
      h('p', {}, 'Programmes you design, and the local versions you make of them, will be listed here.'));
  return {
    title: 'Programmes',
    place: 'programmes',
    node: h('div', {},
      h('h1', {}, 'Programmes'),
      h('p', { class: 'lead' }, 'National programmes and the local versions designed for each place. Choose a version to see its sessions and agendas.'),
      list),
  };
}

export async function programmeScreen(id) {
  const { programme, versions } = await api.getProgramme(id);
  return {
    title: programme.title,
    place: 'programmes',
    node: h('div', {},
      breadcrumbs(['Programmes', '/programmes'], [programme.title]),
      h('h1', {}, programme.title),
      h('p', { class: 'lead' }, programme.purpose),
      tags(programme.themes, 'Themes'),
      programme.outcomes.length ? [h('h2', {}, 'Intended outcomes'), h('ul', {}, programme.outcomes.map((o) => h('li', {}, o)))] : null,
      h('h2', {}, 'Versions'),
      h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Place'), h('th', { scope: 'col' }, 'Cohort'), h('th', { scope: 'col', class: 'num' }, 'Sessions'))),
        h('tbody', {}, versions.map(({ version, sessions }) => h('tr', {},
          h('td', {}, link(`/versions/${version.id}`, version.name)),
          h('td', {}, version.kind === 'national' ? 'National (the template)' : version.place),
          h('td', {}, cohort(version.cohort_start, version.cohort_end) ?? '—'),
          h('td', { class: 'num' }, sessions)))))),
  };
}
