// Programmes: the list of programmes and one-off sessions, one programme with its versions,
// and making a local version for a place.

import { api } from '../api.js';
import { breadcrumbs, fill, h, heading, link, tags } from '../dom.js';
import { cohort, date, month, plural } from '../format.js';
import { createForm, errorSummary, formField } from '../forms.js';
import { field, lines, wholeNumber } from '../fields.js';
import { DATE_HINT, readDate } from '../dates.js';
import { confirmation } from '../confirm.js';
import { notify, saving } from '../feedback.js';
import { refresh } from '../navigation.js';

function versionLine({ version, sessions }) {
  const local = version.kind === 'local';
  const dates = local && version.cohort_start ? `${month(version.cohort_start)} to ${month(version.cohort_end)}` : null;
  return h('li', {},
    h('span', {},
      link(`/versions/${version.id}`, version.name), ' ',
      h('span', { class: `badge ${local ? '' : 'badge-national'}` }, local ? `Local: ${version.place}` : 'National')),
    h('span', { class: 'muted' }, [plural(sessions, 'session'), dates].filter(Boolean).join(' · ')));
}

/** How many versions a programme's card lists; the programme's own page lists them all. */
const CARD_VERSIONS = 12;

/** The way in: the next session to run, and what the demo content is, with a way to clear it. */
function welcomePanel(welcome) {
  const next = welcome.next_session;
  const nextLine = next
    ? h('p', { class: 'next-session', 'data-testid': 'next-session' }, 'Next session: ',
      h('a', { href: `#/sessions/${next.id}`, id: 'next-session-link' }, next.title), ` · ${date(next.date)} at ${next.start_time}`,
      next.version ? ` · ${next.version}` : ' · a one-off session')
    : null;
  const demo = welcome.demo;
  if (!demo) return nextLine;
  const area = h('div');
  const what = [
    demo.programmes.length ? `the programmes ${demo.programmes.map((t) => `“${t}”`).join(' and ')}` : null,
    `${plural(demo.sessions, 'session')} in all`,
    `${plural(demo.exercises, 'library exercise')}`,
  ].filter(Boolean).join(', ').replace(/, ([^,]*)$/, ' and $1');
  return h('section', { class: 'panel welcome', 'aria-labelledby': 'demo-heading', 'data-testid': 'demo-notice' },
    h('h2', { id: 'demo-heading' }, 'This is demo content'),
    h('p', {}, `Fieldbook started with examples to try things out on: ${what}. They are made up; nothing here is anyone’s real data.`),
    h('p', {}, 'When you are ready for your own work, clear the demo. Anything you made yourself stays.'),
    nextLine,
    demo.holds_people
      ? h('p', { class: 'hint' }, 'The demo now holds participants or reflections you added, so it cannot be cleared until they are erased.')
      : h('div', { class: 'actions' },
        h('button', { type: 'button', class: 'button button-secondary', id: 'clear-demo', onclick: (event) => confirmation({
          area, opener: event.currentTarget, id: 'confirm-clear-demo',
          title: 'Clear the demo content?',
          lines: [`This deletes ${what}. Other laptops that sync with this one delete it too.`],
          button: 'Clear the demo',
          act: async () => {
            await saving(api.clearDemo());
            notify('Cleared the demo content. Start with a new programme or a one-off session below.');
            await refresh('new-programme-title');
          },
        }) }, 'Clear the demo…')),
    area);
}

export async function programmesScreen() {
  const [programmes, standalone, welcome] = await Promise.all([api.listProgrammes(), api.listStandaloneSessions(), api.welcome()]);
  const list = programmes.length
    ? h('ul', { class: 'card-list' }, programmes.map(({ programme, versions }) =>
      h('li', { class: 'card' },
        h('h2', {}, link(`/programmes/${programme.id}`, programme.title)),
        h('p', {}, programme.summary || programme.purpose),
        tags(programme.themes, `Themes of ${programme.title}`),
        h('h3', { class: 'visually-hidden' }, `Versions of ${programme.title}`),
        h('ul', { class: 'version-list' }, versions.slice(0, CARD_VERSIONS).map(versionLine)),
        versions.length > CARD_VERSIONS
          ? h('p', {}, link(`/programmes/${programme.id}`, `See all ${versions.length.toLocaleString('en-GB')} versions of ${programme.title}`))
          : null)))
    : h('div', { class: 'empty' },
      h('p', {}, 'There are no programmes yet.'),
      h('p', {}, 'Programmes you design, and the local versions you make of them, will be listed here.'));
  return {
    title: 'Programmes',
    place: 'programmes',
    node: h('div', {},
      heading('Programmes', 'National programmes and the local versions designed for each place. Choose a version to see its sessions and agendas.'),
      welcomePanel(welcome),
      list,
      createForm({
        id: 'new-programme-title', label: 'New programme', button: 'Create programme',
        hint: 'A national programme: its national version is the template for local versions.',
        create: async (title) => `/programmes/${(await api.createProgramme(title)).id}`,
      }),
      h('h2', {}, 'One-off sessions'),
      standalone.length
        ? h('ul', { class: 'version-list', 'aria-label': 'One-off sessions' }, standalone.map((s) => h('li', {},
          link(`/sessions/${s.id}`, s.title),
          h('span', { class: 'muted' }, [date(s.date), s.venue].filter(Boolean).join(' · ')))))
        : h('p', { class: 'muted' }, 'None yet.'),
      createForm({
        id: 'new-standalone-title', label: 'New one-off session', button: 'Create session',
        hint: 'A gathering outside any programme, such as a peer-learning afternoon.',
        create: async (title) => `/sessions/${(await api.createSession(null, title)).id}`,
      })),
  };
}

function programmeEditor(programme) {
  const save = (name) => (value) => api.update('programme', programme.id, { [name]: value });
  return h('details', { class: 'details-editor' },
    h('summary', {}, 'Edit programme details'),
    field({ label: 'Title', value: programme.title, save: save('title'), attrs: { id: 'programme-title' } }).wrapper,
    field({ label: 'Summary', hint: 'One line, shown in the list of programmes.', value: programme.summary, save: save('summary'), attrs: { id: 'programme-summary' } }).wrapper,
    field({ label: 'Purpose', multiline: true, value: programme.purpose, save: save('purpose'), attrs: { id: 'programme-purpose' } }).wrapper,
    field({ label: 'Intended outcomes', hint: 'One per line.', multiline: true, value: programme.outcomes.join('\n'), save: save('outcomes'), read: lines, attrs: { id: 'programme-outcomes' } }).wrapper,
    field({ label: 'Themes', hint: 'Separate them with commas.', value: programme.themes.join(', '), save: save('themes'), read: (i) => i.value.split(',').map((t) => t.trim()).filter(Boolean), attrs: { id: 'programme-themes' } }).wrapper,
    field({
      label: 'Keep participants’ words for (months)', hint: 'Leave empty to keep them until you delete them. Data and backups lists what is past this.',
      type: 'number', value: programme.retention_months ?? '', save: save('retention_months'),
      read: (i) => (i.value.trim() === '' ? null : wholeNumber('The retention period', { min: 1, max: 600 })(i)),
      attrs: { id: 'programme-retention', min: '1', max: '600', inputmode: 'numeric' },
    }).wrapper,
    h('p', { class: 'hint' }, 'Changes are saved as you type; reopen the programme to see them in place.'));
}

export async function programmeScreen(id) {
  const { programme, versions } = await api.getProgramme(id);
  const national = versions.find((v) => v.version.kind === 'national');
  return {
    title: programme.title,
    place: 'programmes',
    node: h('div', {},
      breadcrumbs(['Programmes', '/programmes'], [programme.title]),
      heading(programme.title, programme.purpose),
      tags(programme.themes, 'Themes'),
      programmeEditor(programme),
      programme.outcomes.length ? [h('h2', {}, 'Intended outcomes'), h('ul', {}, programme.outcomes.map((o) => h('li', {}, o)))] : null,
      h('h2', {}, 'Versions'),
      h('table', { class: 'table' },
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Version'), h('th', { scope: 'col' }, 'Place'), h('th', { scope: 'col' }, 'Cohort'), h('th', { scope: 'col', class: 'num' }, 'Sessions'))),
        h('tbody', {}, versions.map(({ version, sessions }) => h('tr', {},
          h('td', {}, link(`/versions/${version.id}`, version.name)),
          h('td', {}, version.kind === 'national' ? 'National (the template)' : version.place),
          h('td', {}, cohort(version.cohort_start, version.cohort_end) ?? '—'),
          h('td', { class: 'num' }, sessions))))),
      national
        ? h('p', { class: 'actions' }, h('a', { class: 'button', href: `#/programmes/${programme.id}/new-version`, id: 'new-local-version' }, 'New local version'))
        : null),
  };
}

export async function newVersionScreen(programmeId) {
  const { programme, versions } = await api.getProgramme(programmeId);
  const national = versions.find((v) => v.version.kind === 'national')?.version;
  const place = formField({ id: 'place', label: 'Place', hint: 'For example Surrey, Westminster or Sunderland.' });
  const name = formField({ id: 'name', label: 'Name of this version', hint: `Usually the programme and the place, such as “${programme.title}: Surrey”.` });
  const partners = formField({ id: 'partners', label: 'Partner organisations (optional)', hint: 'One per line.', multiline: true });
  const leads = formField({ id: 'leads', label: 'Lead facilitators (optional)', hint: 'One per line.', multiline: true });
  const start = formField({ id: 'cohort-start', label: 'Cohort starts (optional)', hint: DATE_HINT });
  const end = formField({ id: 'cohort-end', label: 'Cohort ends (optional)', hint: DATE_HINT });
  start.input.classList.add('date-input');
  end.input.classList.add('date-input');
  let nameTouched = false;
  name.input.addEventListener('input', () => { nameTouched = true; });
  place.input.addEventListener('input', () => {
    if (nameTouched) return;
    name.input.value = place.input.value.trim() ? `${programme.title}: ${place.input.value.trim()}` : '';
    // Filled in for them: its "Enter a name" no longer applies.
    if (name.input.value) name.setError(null);
  });

  const summary = h('div');
  const fields = [place, name, start, end];
  // A problem put right stops being shown as soon as the field is changed.
  for (const f of fields) {
    f.input.addEventListener('input', () => {
      f.setError(null);
      if (!fields.some((x) => x.input.getAttribute('aria-invalid'))) fill(summary);
    });
  }
  const form = h('form', { novalidate: true },
    summary,
    place.wrapper, name.wrapper, partners.wrapper, leads.wrapper,
    h('div', { class: 'field-row' }, start.wrapper, end.wrapper),
    h('p', { class: 'hint' }, `The new version starts as a copy of every session and agenda of the national version. It stays linked: you can see how it differs, and take later national changes.`),
    h('button', { type: 'submit', class: 'button' }, 'Create local version'));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const problems = [];
    if (!place.input.value.trim()) problems.push([place, 'Enter the place this version is for.']);
    if (!name.input.value.trim()) problems.push([name, 'Enter a name for this version.']);
    const dateOf = (f) => {
      try {
        return readDate(f.input.value);
      } catch (e) {
        problems.push([f, e.message]);
        return null;
      }
    };
    const cohortStart = dateOf(start);
    const cohortEnd = dateOf(end);
    for (const f of fields) f.setError(null);
    if (problems.length) {
      for (const [f, message] of problems) f.setError(message);
      fill(summary, errorSummary(problems.map(([f, message]) => [f.input.id, message])));
      summary.querySelector('[role="alert"]').focus();
      return;
    }
    try {
      const version = await api.createLocalVersion(national.id, {
        name: name.input.value,
        place: place.input.value,
        partners: partners.input.value.split('\n'),
        lead_facilitators: leads.input.value.split('\n'),
        cohort_start: cohortStart,
        cohort_end: cohortEnd,
      });
      location.hash = `#/versions/${version.id}`;
    } catch (e) {
      // The core's refusal (a cohort that ends before it starts, say) is shown at the top.
      fill(summary, errorSummary([[place.input.id, e.message]]));
      summary.querySelector('[role="alert"]').focus();
    }
  });

  return {
    title: `New local version of ${programme.title}`,
    place: 'programmes',
    node: h('div', {},
      breadcrumbs(['Programmes', '/programmes'], [programme.title, `/programmes/${programme.id}`], ['New local version']),
      heading('New local version', `A version of ${programme.title} designed for a place, made from the national version.`),
      form),
    focus: place.input,
  };
}
