// A version of a programme: who it is for, and its sessions.

import { api } from '../api.js';
import { breadcrumbs, facts, h, link } from '../dom.js';
import { cohort, date, minutes } from '../format.js';

export async function versionScreen(id) {
  const { programme, version, based_on: basedOn, sessions } = await api.getVersion(id);
  const local = version.kind === 'local';
  const table = sessions.length
    ? h('table', { class: 'table' },
      h('caption', { class: 'visually-hidden' }, `Sessions of ${version.name}`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'num' }, 'No.'),
        h('th', { scope: 'col' }, 'Session'),
        h('th', { scope: 'col' }, 'Date'),
        h('th', { scope: 'col' }, 'Time'),
        h('th', { scope: 'col', class: 'num' }, 'Agenda'))),
      h('tbody', {}, sessions.map((s, i) => h('tr', {},
        h('td', { class: 'num' }, i + 1),
        h('td', {}, link(`/sessions/${s.session.id}`, s.session.title), s.session.venue ? h('div', { class: 'muted' }, s.session.venue) : null),
        h('td', {}, date(s.session.date) ?? h('span', { class: 'muted' }, 'Set locally')),
        h('td', { class: 'time' }, `${s.start}–${s.end}`),
        h('td', { class: 'num' }, `${s.items} items`, h('div', { class: 'muted' }, minutes(s.total_minutes)))))))
    : h('div', { class: 'empty' }, h('p', {}, 'This version has no sessions yet.'));

  return {
    title: version.name,
    place: 'programmes',
    node: h('div', {},
      breadcrumbs(['Programmes', '/programmes'], [programme.title, `/programmes/${programme.id}`], [version.name]),
      h('h1', {}, version.name),
      h('p', { class: 'lead' }, local
        ? `A local version of ${programme.title}, designed for ${version.place}.`
        : `The national version of ${programme.title}: the template that local versions are made from.`),
      facts([
        ['Place', local ? version.place : null],
        ['Cohort dates', cohort(version.cohort_start, version.cohort_end)],
        ['Partner organisations', version.partners],
        ['Lead facilitators', version.lead_facilitators],
        ['Made from', basedOn ? link(`/versions/${basedOn.id}`, basedOn.name) : null],
      ]),
      h('h2', {}, 'Sessions'),
      table),
  };
}
