// Attendance: mark each person present, late or absent in a few keystrokes, and add
// anyone who walks in on the day.

import { api } from '../api.js';
import { choices, labelOf } from '../choices.js';
import { breadcrumbs, fill, h, heading, link } from '../dom.js';
import { plural } from '../format.js';
import { errorMessage, notify, saving } from '../feedback.js';

const STATUSES = [['present', 'Present', 'P'], ['late', 'Late', 'L'], ['absent', 'Absent', 'A']];

/** The fields asked of a new participant, with consent first-class. */
export function participantFields(prefix) {
  const input = (id, label, attrs = {}) => h('div', { class: 'field' }, h('label', { for: `${prefix}-${id}` }, label), h('input', { id: `${prefix}-${id}`, type: 'text', autocomplete: 'off', ...attrs }));
  const check = (id, label) => h('div', { class: 'checkbox' }, h('input', { id: `${prefix}-${id}`, type: 'checkbox' }), h('label', { for: `${prefix}-${id}` }, label));
  return h('div', {},
    h('div', { class: 'field-row' },
      input('name', 'Name'),
      input('organisation', 'Organisation'),
      h('div', { class: 'field' }, h('label', { for: `${prefix}-sector` }, 'Sector'),
        h('select', { id: `${prefix}-sector` }, choices.sectors.map((c) => h('option', { value: c.value }, c.label)))),
      input('role', 'Role')),
    h('fieldset', { class: 'consent' },
      h('legend', {}, 'They agree to'),
      check('named', 'be named in notes'),
      check('quoted', 'be quoted'),
      check('contact', 'be contacted afterwards')));
}

export function readParticipant(prefix) {
  const value = (id) => document.getElementById(`${prefix}-${id}`).value;
  const checked = (id) => document.getElementById(`${prefix}-${id}`).checked;
  return {
    name: value('name'), organisation: value('organisation'), sector: value('sector'), role: value('role'),
    consent_named: checked('named'), consent_quoted: checked('quoted'), consent_contact: checked('contact'),
  };
}

export function clearParticipant(prefix) {
  for (const id of ['name', 'organisation', 'role']) document.getElementById(`${prefix}-${id}`).value = '';
  for (const id of ['named', 'quoted', 'contact']) document.getElementById(`${prefix}-${id}`).checked = false;
}

/**
 * A panel that adds a person: `add` saves what was typed, then the form is cleared, `then`
 * is given the person saved, and the cursor goes back to the name for the next one.
 */
function participantForm(prefix, { headingId, title, hint, button, add, then }) {
  const form = h('form', { class: 'panel', 'aria-labelledby': headingId },
    h('h2', { id: headingId }, title),
    hint ? h('p', { class: 'hint' }, hint) : null,
    participantFields(prefix),
    h('button', { type: 'submit', class: 'button' }, button));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const person = await saving(add(readParticipant(prefix)));
      clearParticipant(prefix);
      await then(person);
      document.getElementById(`${prefix}-name`).focus();
    } catch (e) {
      notify(e.message);
    }
  });
  return form;
}

export async function attendanceScreen(id) {
  const detail = await api.getSession(id);
  const { session, version, programme } = detail;
  const table = h('tbody');
  const count = h('p', { class: 'count', role: 'status', 'data-testid': 'attendance-count' });

  const render = async (focusRow) => {
    const sheet = await api.attendanceSheet(id);
    const tally = (status) => sheet.filter((l) => l.status === status).length;
    count.textContent = sheet.length
      ? `${tally('present')} present, ${tally('late')} late, ${tally('absent')} absent, ${sheet.length - tally('present') - tally('late') - tally('absent')} not marked`
      : 'Nobody is in this cohort yet. Add people below as they arrive.';
    fill(table, sheet.map((line, index) => {
      const name = `presence-${line.participant.id}`;
      const row = h('tr', { 'data-testid': 'attendance-row', 'data-status': line.status ?? '' },
        h('th', { scope: 'row' }, line.participant.name, line.walk_in ? h('span', { class: 'badge' }, ' Walk-in') : null,
          h('div', { class: 'muted' }, [line.participant.organisation, line.participant.role].filter(Boolean).join(', '))),
        h('td', {}, h('fieldset', { class: 'presence' },
          h('legend', { class: 'visually-hidden' }, `${line.participant.name} is`),
          STATUSES.map(([value, label, key]) => h('span', { class: 'radio' },
            h('input', {
              type: 'radio', name, id: `${name}-${value}`, value, checked: line.status === value ? true : null,
              onchange: () => mark(line, value, index),
            }),
            h('label', { for: `${name}-${value}` }, label, ' ', h('kbd', {}, key)))))));
      row.addEventListener('keydown', (event) => {
        const status = STATUSES.find(([, , key]) => key.toLowerCase() === event.key.toLowerCase());
        if (!status || event.ctrlKey || event.altKey || event.metaKey) return;
        event.preventDefault();
        mark(line, status[0], index);
      });
      return row;
    }));
    if (focusRow !== undefined) {
      const rows = table.querySelectorAll('tr');
      const row = rows[Math.min(focusRow, rows.length - 1)];
      (row?.querySelector('input:checked') ?? row?.querySelector('input'))?.focus();
    }
  };

  // Marking someone moves on to the next person, so a register takes one key a name.
  const mark = async (line, status, index) => {
    try {
      await saving(api.markAttendance(id, line.participant.id, status));
      await render(index + 1);
    } catch (e) {
      notify(e.message);
    }
  };
  await render();

  const walkIn = participantForm('walk-in', {
    headingId: 'walk-in-heading', title: 'Someone walked in', hint: 'They join the cohort and are marked present.', button: 'Add and mark present',
    add: (person) => api.addWalkIn(id, person),
    then: async (person) => {
      await render();
      notify(`${person.name} added and marked present.`);
    },
  });

  const crumbs = programme
    ? breadcrumbs(['Programmes', '/programmes'], [programme.title, `/programmes/${programme.id}`], [version.name, `/versions/${version.id}`], [session.title, `/sessions/${id}`], ['Attendance'])
    : breadcrumbs(['Programmes', '/programmes'], [session.title, `/sessions/${id}`], ['Attendance']);
  return {
    title: `Attendance: ${session.title}`,
    place: 'programmes',
    node: h('div', {},
      crumbs,
      heading('Attendance', `${session.title}. Press `, h('kbd', {}, 'P'), ', ', h('kbd', {}, 'L'), ' or ', h('kbd', {}, 'A'), ' on a person to mark them present, late or absent and move to the next.'),
      count,
      h('table', { class: 'table attendance' },
        h('caption', { class: 'visually-hidden' }, 'Who is here'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Participant'), h('th', { scope: 'col' }, 'Here?'))),
        table),
      walkIn,
      h('p', {}, link(`/sessions/${id}/run`, 'Go to run mode'))),
    focus: table.querySelector('input'),
  };
}

export async function cohortScreen(versionId) {
  const detail = await api.getVersion(versionId);
  const { programme, version } = detail;
  const list = h('tbody');
  const count = h('p', { class: 'count', role: 'status' });
  const when = (iso) => new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric' });
  const yes = (flag, at) => (flag ? `Yes${at ? `, since ${when(at)}` : ''}` : 'No');
  const render = async () => {
    const people = await api.cohort(versionId);
    count.textContent = plural(people.length, 'participant');
    fill(list, people.map((p) => h('tr', { 'data-testid': 'participant' },
      h('th', { scope: 'row' }, link(`/participants/${p.id}`, p.name)), h('td', {}, p.organisation), h('td', {}, labelOf(choices.sectors, p.sector)),
      h('td', {}, p.role), h('td', {}, yes(p.consent_named, p.consent_named_at)), h('td', {}, yes(p.consent_quoted, p.consent_quoted_at)), h('td', {}, yes(p.consent_contact, p.consent_contact_at)))));
  };
  await render();
  const form = participantForm('participant', {
    headingId: 'add-participant-heading', title: 'Add a participant', button: 'Add participant',
    add: (person) => api.addParticipant(versionId, person),
    then: () => render(),
  });
  const importPanel = participantListPanel(versionId, render);
  return {
    title: `Cohort: ${version.name}`,
    place: 'programmes',
    node: h('div', {},
      breadcrumbs(['Programmes', '/programmes'], [programme.title, `/programmes/${programme.id}`], [version.name, `/versions/${versionId}`], ['Cohort']),
      heading('Cohort', `The participants of ${version.name}, with what each has agreed to.`),
      count,
      h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, ['Name', 'Organisation', 'Sector', 'Role', 'Named in notes', 'Quoted', 'Contacted'].map((c) => h('th', { scope: 'col' }, c)))),
        list),
      importPanel,
      form),
  };
}

/**
 * Importing the cohort from a spreadsheet: choose the file, see its columns recognised (and
 * change what each holds), the first rows as they will be saved, duplicates and refused rows
 * with their row numbers; nothing is written until "Add" is pressed.
 */
function participantListPanel(versionId, renderCohort) {
  const preview = h('div', { id: 'list-preview' });
  const result = h('p', { role: 'status', id: 'list-result' });
  const yesNo = (flag) => (flag ? 'Yes' : 'No');
  const sectorName = (v) => labelOf(choices.sectors, v);

  const show = (data) => {
    const { file, plan, fields } = data;
    const mapping = [...plan.mapping];
    const update = async () => {
      try {
        show(await api.previewParticipantList(versionId, mapping));
      } catch (e) {
        fill(result, errorMessage(e, 'span'));
      }
    };
    const columns = h('table', { class: 'table', 'data-testid': 'list-columns' },
      h('caption', {}, `The columns of ${file}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Column'), h('th', { scope: 'col' }, 'Holds'))),
      h('tbody', {}, plan.headings.map((heading, i) => h('tr', {},
        h('th', { scope: 'row' }, h('label', { for: `list-map-${i}` }, heading || `Column ${i + 1}`)),
        h('td', {}, h('select', {
          id: `list-map-${i}`, 'data-heading': heading,
          onchange: (event) => { mapping[i] = event.target.value; update(); },
        }, fields.map(([value, label]) => h('option', { value, selected: value === mapping[i] ? true : null }, label))))))));
    const counts = `${plural(plan.to_add.length, 'person', 'people')} to add, ${plan.duplicates.length} already in the cohort, ${plural(plan.refused.length, 'row')} refused.`;
    const add = h('button', {
      type: 'button', class: 'button', id: 'import-participant-list',
      disabled: plan.problem || !plan.to_add.length ? true : null,
      onclick: async () => {
        try {
          const report = await saving(api.importParticipantList(versionId, mapping));
          fill(preview);
          fill(result, `Added ${plural(report.added.length, 'participant')} from ${file}.`,
            report.duplicates.length ? ` ${report.duplicates.length} already in the cohort were not added again.` : '',
            report.refused.length ? ` ${plural(report.refused.length, 'row')} refused.` : '');
          await renderCohort();
          document.getElementById('choose-participant-list').focus();
        } catch (e) {
          fill(result, errorMessage(e, 'span'));
        }
      },
    }, plan.to_add.length === 1 ? 'Add 1 participant' : `Add ${plan.to_add.length} participants`);
    fill(preview, h('div', { class: 'panel', 'aria-labelledby': 'list-preview-heading' },
      h('h3', { id: 'list-preview-heading' }, `Import from ${file}`),
      h('p', { class: 'hint' }, 'Nothing is added until you press Add. Change what a column holds if Fieldbook has not recognised it.'),
      columns,
      plan.problem ? h('p', { class: 'field-error', role: 'alert', id: 'list-problem' }, plan.problem) : null,
      h('p', { class: 'count', 'data-testid': 'list-counts' }, counts),
      plan.preview.length ? h('table', { class: 'table', 'data-testid': 'list-preview-table' },
        h('caption', {}, plan.preview.length < plan.to_add.length ? `The first ${plan.preview.length}, as they will be saved` : 'As they will be saved'),
        h('thead', {}, h('tr', {}, ['Row', 'Name', 'Email', 'Organisation', 'Role', 'Sector', 'Named in notes', 'Quoted', 'Contacted'].map((c) => h('th', { scope: 'col' }, c)))),
        h('tbody', {}, plan.preview.map((p) => h('tr', { 'data-testid': 'preview-row' },
          h('td', {}, String(p.row)), h('th', { scope: 'row' }, p.name), h('td', {}, p.email ?? ''), h('td', {}, p.organisation), h('td', {}, p.role),
          h('td', {}, sectorName(p.sector)), h('td', {}, yesNo(p.consent_named)), h('td', {}, yesNo(p.consent_quoted)), h('td', {}, yesNo(p.consent_contact)))))) : null,
      plan.duplicates.length ? h('section', { 'aria-labelledby': 'list-duplicates-heading' },
        h('h4', { id: 'list-duplicates-heading' }, 'Not added twice'),
        h('ul', {}, plan.duplicates.map((d) => h('li', { 'data-testid': 'duplicate-row' }, `Row ${d.row}: ${d.name}, ${d.reason}`)))) : null,
      plan.refused.length ? h('section', { 'aria-labelledby': 'list-refused-heading' },
        h('h4', { id: 'list-refused-heading' }, 'Rows that cannot be added'),
        h('ul', {}, plan.refused.map((r) => h('li', { 'data-testid': 'refused-row' }, `Row ${r.row}: ${r.reason}`)))) : null,
      h('div', { class: 'actions' }, add,
        h('button', { type: 'button', class: 'button button-secondary', id: 'cancel-participant-list', onclick: () => {
          fill(preview);
          fill(result, 'Nothing was added.');
          document.getElementById('choose-participant-list').focus();
        } }, 'Cancel'))));
  };

  return h('section', { class: 'panel', 'aria-labelledby': 'list-heading' },
    h('h2', { id: 'list-heading' }, 'Import from a spreadsheet'),
    h('p', {}, 'A participant list from a registration form, Eventbrite or an HR system, as CSV, Excel (.xlsx) or LibreOffice (.ods). Columns such as Name (or First name and Last name), Email, Organisation, Role, Sector and consent are recognised; people already in the cohort are not added twice.'),
    h('button', { type: 'button', class: 'button button-secondary', id: 'choose-participant-list', onclick: async () => {
      fill(result);
      try {
        const data = await api.chooseParticipantList(versionId);
        if (!data) return;
        show(data);
        document.getElementById('list-preview-heading')?.setAttribute('tabindex', '-1');
        document.getElementById('list-preview-heading')?.focus();
      } catch (e) {
        fill(preview);
        fill(result, errorMessage(e, 'span'));
      }
    } }, 'Choose a participant list…'),
    result,
    preview);
}
