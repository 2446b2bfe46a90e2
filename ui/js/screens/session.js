// A session: its details and its agenda laid out in time.

import { api } from '../api.js';
import { breadcrumbs, facts, h, link } from '../dom.js';
import { date, kind, minutes } from '../format.js';

function summary(t) {
  const parts = [
    h('span', {}, 'Starts ', h('strong', { 'data-testid': 'session-start' }, t.start)),
    h('span', {}, 'Ends ', h('strong', { 'data-testid': 'session-end' }, t.end), t.ends_next_day ? ' (next day)' : ''),
    h('span', {}, 'Activity ', h('strong', {}, minutes(t.total_minutes))),
  ];
  if (t.planned_end) parts.push(h('span', {}, 'Planned end ', h('strong', {}, t.planned_end)));
  return h('div', { class: 'timeline-summary' }, parts);
}

function itemRows(timed) {
  const { item } = timed;
  const rows = [];
  if (timed.overrun_before > 0) {
    rows.push(h('tr', {}, h('td', { colspan: 3 }, h('p', { class: 'notice' },
      `What comes before runs ${minutes(timed.overrun_before)} past ${item.pinned_time}, when “${item.title}” is fixed to start.`))));
  } else if (timed.gap_before > 0) {
    rows.push(h('tr', {}, h('td', { colspan: 3, class: 'gap-note' }, `${minutes(timed.gap_before)} free before ${item.title}`)));
  }
  rows.push(h('tr', { class: `kind-${item.kind}`, 'data-testid': 'agenda-item', 'data-minutes': item.minutes, 'data-pinned': item.pinned_time },
    h('td', { class: 'time' },
      h('span', { 'data-testid': 'item-start' }, timed.start),
      h('span', { class: 'time-end' }, `to ${timed.end}`)),
    h('td', {},
      h('span', { class: 'item-title' }, item.title), ' ',
      h('span', { class: 'badge' }, kind(item.kind)),
      item.pinned_time ? [' ', h('span', { class: 'badge' }, `Fixed at ${item.pinned_time}`)] : null,
      item.notes ? h('p', { class: 'item-notes' }, item.notes) : null,
      item.prompt ? h('p', { class: 'item-prompt' }, h('strong', {}, 'Reflection prompt: '), item.prompt) : null,
      item.materials ? h('p', { class: 'item-notes' }, h('strong', {}, 'Materials: '), item.materials) : null),
    h('td', { class: 'num' }, minutes(item.minutes))));
  return rows;
}

export async function sessionScreen(id) {
  const { session, version, programme, timetable: t } = await api.getSession(id);
  const crumbs = programme
    ? breadcrumbs(['Programmes', '/programmes'], [programme.title, `/programmes/${programme.id}`], [version.name, `/versions/${version.id}`], [session.title])
    : breadcrumbs(['Programmes', '/programmes'], [session.title]);

  const agenda = t.items.length
    ? h('table', { class: 'table agenda' },
      h('caption', { class: 'visually-hidden' }, `Agenda of ${session.title}, with start times`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Item'), h('th', { scope: 'col', class: 'num' }, 'Length'))),
      h('tbody', {},
        t.items.flatMap(itemRows),
        h('tr', { class: 'end-row' }, h('td', { class: 'time' }, t.end), h('td', {}, 'End of session'), h('td', {}))))
    : h('div', { class: 'empty' }, h('p', {}, 'This session has no agenda items yet.'));

  return {
    title: session.title,
    place: 'programmes',
    node: h('div', {},
      crumbs,
      h('h1', {}, session.title),
      h('p', { class: 'lead' }, version ? `${version.name}` : 'A standalone session, outside any programme.'),
      facts([
        ['Date', date(session.date) ?? (version?.kind === 'national' ? 'Set by each local version' : 'Not set')],
        ['Time', `${t.start} to ${t.end}`],
        ['Venue', session.venue],
      ]),
      session.objectives ? [h('h2', {}, 'Objectives'), h('p', {}, session.objectives)] : null,
      h('h2', {}, 'Agenda'),
      summary(t),
      t.over_planned_end > 0
        ? h('p', { class: 'notice', role: 'status', 'data-testid': 'overrun' }, `The agenda runs ${minutes(t.over_planned_end)} past the planned end of ${t.planned_end}.`)
        : null,
      agenda),
  };
}
