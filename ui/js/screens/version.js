// A version of a programme: who it is for and its sessions; for a local version, how it
// differs from the national version and the national changes it can take.

import { api } from '../api.js';
import { breadcrumbs, facts, fill, h, heading, link } from '../dom.js';
import { cohort, date, minutes, plural } from '../format.js';
import { errorMessage, notify, saving } from '../feedback.js';
import { createForm } from '../forms.js';
import { refresh } from '../navigation.js';
import { exportPanel } from '../export.js';
import { field, lines, optional } from '../fields.js';

function nationalNotice(id, changes, conflicts) {
  if (!changes) return null;
  return h('div', { class: 'notice-box', role: 'status', 'data-testid': 'national-changes' },
    h('p', {}, h('strong', {}, `The national version has ${plural(changes, 'change')} you have not taken yet`),
      conflicts ? ` (${plural(conflicts, 'needs', 'need')} your choice, because this version changed the same thing).` : '.'),
    h('p', {}, h('a', { href: `#/versions/${id}/national-changes`, class: 'button button-secondary' }, 'Review national changes')));
}

function versionEditor(version) {
  const save = (name) => (value) => api.update('programme_version', version.id, { [name]: value });
  const local = version.kind === 'local';
  return h('details', { class: 'details-editor' },
    h('summary', {}, 'Edit version details'),
    field({ label: 'Name', value: version.name, save: save('name'), attrs: { id: 'version-name' } }).wrapper,
    local ? field({ label: 'Place', value: version.place, save: save('place'), attrs: { id: 'version-place' } }).wrapper : null,
    field({ label: 'Partner organisations', hint: 'One per line.', multiline: true, value: version.partners.join('\n'), save: save('partners'), read: lines, attrs: { id: 'version-partners' } }).wrapper,
    field({ label: 'Lead facilitators', hint: 'One per line.', multiline: true, value: version.lead_facilitators.join('\n'), save: save('lead_facilitators'), read: lines, attrs: { id: 'version-leads' } }).wrapper,
    local ? h('div', { class: 'field-row' },
      field({ label: 'Cohort starts', type: 'date', value: version.cohort_start ?? '', save: save('cohort_start'), attrs: { id: 'version-cohort-start' } }).wrapper,
      field({ label: 'Cohort ends', type: 'date', value: version.cohort_end ?? '', save: save('cohort_end'), attrs: { id: 'version-cohort-end' } }).wrapper) : null,
    h('p', { class: 'hint' }, 'Changes are saved as you type; reopen the version to see them in place.'));
}

async function moveSession(id, index, focusId) {
  await saving(api.moveSession(id, index));
  await refresh(focusId);
}

export async function versionScreen(id) {
  const detail = await api.getVersion(id);
  const { programme, version, based_on: basedOn, sessions } = detail;
  const local = version.kind === 'local';
  const table = sessions.length
    ? h('table', { class: 'table' },
      h('caption', { class: 'visually-hidden' }, `Sessions of ${version.name}`),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col', class: 'num' }, 'No.'),
        h('th', { scope: 'col' }, 'Session'),
        h('th', { scope: 'col' }, 'Date'),
        h('th', { scope: 'col' }, 'Time'),
        h('th', { scope: 'col', class: 'num' }, 'Agenda'),
        h('th', { scope: 'col' }, 'Order'))),
      h('tbody', {}, sessions.map((s, i) => h('tr', {},
        h('td', { class: 'num' }, i + 1),
        h('td', {}, link(`/sessions/${s.session.id}`, s.session.title), s.session.venue ? h('div', { class: 'muted' }, s.session.venue) : null),
        h('td', {}, date(s.session.date) ?? h('span', { class: 'muted' }, local ? 'Not set' : 'Set locally')),
        h('td', { class: 'time' }, `${s.start}–${s.end}`),
        h('td', { class: 'num' }, plural(s.items, 'item'), h('div', { class: 'muted' }, minutes(s.total_minutes))),
        h('td', { class: 'row-actions' },
          h('button', { type: 'button', class: 'icon-button', id: `session-up-${s.session.id}`, 'aria-label': `Move “${s.session.title}” earlier`, title: 'Move earlier', disabled: i === 0 ? true : null, onclick: () => moveSession(s.session.id, i - 1, `session-up-${s.session.id}`) }, '↑'),
          h('button', { type: 'button', class: 'icon-button', id: `session-down-${s.session.id}`, 'aria-label': `Move “${s.session.title}” later`, title: 'Move later', disabled: i === sessions.length - 1 ? true : null, onclick: () => moveSession(s.session.id, i + 1, `session-down-${s.session.id}`) }, '↓'))))))
    : h('div', { class: 'empty' }, h('p', {}, 'This version has no sessions yet. Add the first one below.'));

  return {
    title: version.name,
    place: 'programmes',
    node: h('div', {},
      breadcrumbs(['Programmes', '/programmes'], [programme.title, `/programmes/${programme.id}`], [version.name]),
      heading(version.name, local
        ? `A local version of ${programme.title}, designed for ${version.place}.`
        : `The national version of ${programme.title}: the template that local versions are made from.`),
      facts([
        ['Place', local ? version.place : null],
        ['Cohort dates', cohort(version.cohort_start, version.cohort_end)],
        ['Partner organisations', version.partners],
        ['Lead facilitators', version.lead_facilitators],
        ['Made from', basedOn ? link(`/versions/${basedOn.id}`, basedOn.name) : null],
      ]),
      basedOn ? nationalNotice(version.id, detail.national_changes, detail.national_conflicts) : null,
      h('p', { class: 'link-row' },
        basedOn ? h('a', { href: `#/versions/${version.id}/differences`, id: 'whats-different' }, 'What’s different from the national version') : null,
        h('a', { href: `#/versions/${version.id}/cohort`, id: 'cohort-link' }, 'Cohort and consent')),
      versionEditor(version),
      h('h2', {}, 'Sessions'),
      table,
      createForm({
        id: 'new-session-title', label: 'Add a session', button: 'Add session',
        create: async (title) => `/sessions/${(await api.createSession(version.id, title)).id}`,
      }),
      exportPanel({ kind: 'version', id: version.id }, 'notes for every session'),
      h('p', {}, h('button', { type: 'button', class: 'button button-secondary', id: 'export-version-bundle', onclick: async () => {
        try {
          const path = await api.exportBundleFile(version.id, null);
          if (path) notify(`Saved a bundle of ${version.name} to ${path}.`);
        } catch (e) {
          notify(e.message);
        }
      } }, 'Export this version as a sync bundle…'), ' ', h('span', { class: 'hint' }, 'For a laptop that needs only this version. Protected bundles are made on the Sync page.')),
      h('p', {}, h('button', { type: 'button', class: 'button button-secondary', id: 'export-calendar', onclick: async () => {
        try {
          const path = await api.exportCalendar(version.id);
          if (path) notify(`Saved the sessions for calendars to ${path}.`);
        } catch (e) {
          notify(e.message);
        }
      } }, 'Save sessions for calendars (.ics)…'), ' ', h('span', { class: 'hint' }, 'Each dated session, in UK time, for Outlook, Google or Apple calendars. Saving again later updates the same events.'))),
  };
}

const changeLabels = { added: '+ Added here', removed: '− Removed here', changed: '✎ Changed', moved: '↕ Moved' };
const fieldLabels = {
  title: 'Title', minutes: 'Length (minutes)', kind: 'Kind', notes: 'Facilitator notes', materials: 'Materials',
  prompt: 'Reflection prompt', pinned_time: 'Fixed start time', exercise_id: 'Library exercise',
  start_time: 'Start time', end_time: 'Planned end', objectives: 'Objectives',
};

function shown(value) {
  if (value === null || value === undefined || value === '') return '(none)';
  return String(value);
}

export async function differencesScreen(id) {
  const { programme, version, differences } = await api.versionDifferences(id);
  const bySession = new Map();
  for (const d of differences) {
    if (!bySession.has(d.session_title)) bySession.set(d.session_title, []);
    bySession.get(d.session_title).push(d);
  }
  const body = differences.length
    ? [...bySession].map(([title, diffs]) => h('section', { class: 'diff-session', 'aria-label': title },
      h('h2', {}, diffs[0].session_id ? link(`/sessions/${diffs[0].session_id}`, title) : title),
      h('ul', { class: 'diff-list' }, diffs.map((d) => h('li', { class: `diff diff-${d.change}`, 'data-testid': 'difference' },
        h('span', { class: 'diff-label' }, changeLabels[d.change]), ' ',
        h('strong', {}, d.item_title ?? 'The session itself'),
        d.fields.length
          ? h('dl', { class: 'diff-fields' }, d.fields.map((f) => h('div', {},
            h('dt', {}, fieldLabels[f.field] ?? f.field),
            h('dd', {}, h('span', { class: 'muted' }, 'National: '), shown(f.national)),
            h('dd', {}, h('span', { class: 'muted' }, `${version.place}: `), shown(f.local)))))
          : null)))))
    : h('div', { class: 'empty' }, h('p', {}, `${version.name} is the same as the national version: nothing has been added, removed, changed or moved.`));

  return {
    title: `What’s different: ${version.name}`,
    place: 'programmes',
    node: h('div', {},
      breadcrumbs(['Programmes', '/programmes'], [programme.title, `/programmes/${programme.id}`], [version.name, `/versions/${version.id}`], ['What’s different']),
      heading('What’s different from the national version', `How ${version.name} differs, session by session and item by item, from the national version of ${programme.title}. Dates and venues are left out: each place sets its own.`),
      h('p', { class: 'count', role: 'status' }, differences.length ? plural(differences.length, 'difference') : 'No differences'),
      body),
  };
}

function valueLine(label, value) {
  return h('span', { class: 'merge-value' }, h('span', { class: 'muted' }, `${label}: `), shown(value));
}

export async function nationalChangesScreen(id) {
  const [{ changes }, detail] = await Promise.all([api.nationalChanges(id), api.getVersion(id)]);
  const { version, programme } = detail;
  const actionText = {
    set_field: (c) => `${fieldLabels[c.field] ?? c.field} of ${c.item_title ? `“${c.item_title}”` : 'the session'}`,
    add_session: (c) => c.conflict ? `The session “${c.national}”, which you removed here, changed nationally` : `A new session: “${c.national}”`,
    remove_session: (c) => `The national version removed the session “${c.session_title}”`,
    add_item: (c) => c.conflict ? `“${c.item_title}”, which you removed here, changed nationally` : `A new agenda item: “${c.item_title}”`,
    remove_item: (c) => `The national version removed “${c.item_title}”`,
  };
  const choices = new Map();
  const list = h('ol', { class: 'merge-list' }, changes.map((c, n) => {
    const name = `change-${n}`;
    const nationalLabel = c.action === 'set_field' ? `Take the national “${shown(c.national)}”` : 'Take the national change';
    const localLabel = c.action === 'set_field' ? `Keep ${version.place}’s “${shown(c.local)}”` : `Keep ${version.place}’s version as it is`;
    const radio = (value, label, checked) => h('div', { class: 'radio' },
      h('input', { type: 'radio', name, id: `${name}-${value}`, value, checked: checked ? true : null,
        onchange: () => choices.set(c.key, value) }),
      h('label', { for: `${name}-${value}` }, label));
    if (!c.conflict) choices.set(c.key, 'national');
    return h('li', { class: `merge ${c.conflict ? 'merge-conflict' : ''}`, 'data-testid': 'national-change' },
      h('fieldset', {},
        h('legend', {}, c.conflict ? h('span', { class: 'diff-label' }, '⚠ Both changed: choose ') : null,
          h('strong', {}, actionText[c.action](c)), h('span', { class: 'muted' }, ` in ${c.session_title}`)),
        c.action === 'set_field'
          ? h('p', { class: 'merge-values' }, valueLine('When this version was made', c.base), valueLine('National now', c.national), valueLine(`${version.place} now`, c.local))
          : null,
        radio('national', nationalLabel, !c.conflict),
        radio('local', localLabel, false)));
  }));
  const error = h('div');
  const apply = h('button', { type: 'submit', class: 'button', id: 'apply-national-changes' }, 'Take the chosen changes');
  const form = h('form', {}, error, list, apply);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const missing = changes.filter((c) => !choices.has(c.key));
    if (missing.length) {
      fill(error, h('div', { class: 'error-summary', role: 'alert', tabindex: '-1' },
        h('h2', {}, 'There is a problem'),
        h('p', {}, `Choose which to keep for ${plural(missing.length, 'change')} that both versions made.`)));
      error.firstChild.focus();
      return;
    }
    try {
      const taken = await api.applyNationalChanges(id, Object.fromEntries(choices));
      notify(`${plural(taken, 'national change')} taken into ${version.name}.`);
      location.hash = `#/versions/${id}`;
    } catch (e) {
      fill(error, errorMessage(e));
    }
  });

  return {
    title: `National changes for ${version.name}`,
    place: 'programmes',
    node: h('div', {},
      breadcrumbs(['Programmes', '/programmes'], [programme.title, `/programmes/${programme.id}`], [version.name, `/versions/${version.id}`], ['National changes']),
      heading('Changes from the national version', `What the national version of ${programme.title} changed since ${version.name} was made or last took its changes. Changes that do not touch your local edits are ready to take; where both changed the same thing, you choose.`),
      changes.length ? form : h('div', { class: 'empty' }, h('p', {}, 'There are no national changes to take.'))),
  };
}
