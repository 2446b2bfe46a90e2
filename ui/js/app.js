// Fieldbook's window: finds the screen for the address after '#', shows it, and keeps the
// sidebar, the window title and keyboard focus in step.

import { fill, focusById, h } from './dom.js';
import { api } from './api.js';
import { loadChoices } from './choices.js';
import { onRefresh } from './navigation.js';
import { screenChanged } from './feedback.js';
import { newVersionScreen, programmesScreen, programmeScreen } from './screens/programmes.js';
import { differencesScreen, nationalChangesScreen, versionScreen } from './screens/version.js';
import { sessionScreen } from './screens/session.js';
import { exerciseEditScreen, libraryScreen, requestSearchFocus } from './screens/library.js';
import { runScreen } from './screens/run.js';
import { attendanceScreen, cohortScreen } from './screens/attendance.js';
import { captureScreen, capturing } from './screens/capture.js';
import { syncScreen } from './screens/sync.js';
import { participantScreen } from './screens/participant.js';
import { settingsScreen } from './screens/settings.js';
import { reflectionsScreen } from './screens/reflections.js';
import { themesScreen } from './screens/themes.js';

const ID = '([0-9a-fA-F-]{36})';
const routes = [
  [new RegExp('^/programmes$'), programmesScreen],
  [new RegExp(`^/programmes/${ID}$`), programmeScreen],
  [new RegExp(`^/programmes/${ID}/new-version$`), newVersionScreen],
  [new RegExp(`^/versions/${ID}$`), versionScreen],
  [new RegExp(`^/versions/${ID}/differences$`), differencesScreen],
  [new RegExp(`^/versions/${ID}/national-changes$`), nationalChangesScreen],
  [new RegExp(`^/sessions/${ID}$`), sessionScreen],
  [new RegExp(`^/sessions/${ID}/run$`), runScreen],
  [new RegExp(`^/sessions/${ID}/attendance$`), attendanceScreen],
  [new RegExp(`^/sessions/${ID}/capture$`), captureScreen],
  [new RegExp(`^/versions/${ID}/cohort$`), cohortScreen],
  [new RegExp('^/sync$'), syncScreen],
  [new RegExp(`^/participants/${ID}$`), participantScreen],
  [new RegExp('^/settings(?:/(erasure))?$'), settingsScreen],
  [new RegExp('^/reflections$'), reflectionsScreen],
  [new RegExp('^/themes$'), themesScreen],
  [new RegExp(`^/library(?:/${ID})?$`), libraryScreen],
  [new RegExp(`^/library/${ID}/edit$`), exerciseEditScreen],
];

const main = document.getElementById('main');
let navigation = 0;
let firstScreen = true;

function currentRoute() {
  const route = decodeURIComponent(location.hash.replace(/^#/, ''));
  return route || '/programmes';
}

let captureRoute = null;

async function show({ focusId } = {}) {
  // While participants hold the laptop, only the facilitator's code leaves the capture screen.
  if (capturing() && captureRoute && currentRoute() !== captureRoute) {
    history.replaceState(null, '', `#${captureRoute}`);
    return;
  }
  const ticket = ++navigation;
  const route = currentRoute();
  captureRoute = route.endsWith('/capture') ? route : null;
  const match = routes.map(([pattern, screen]) => [route.match(pattern), screen]).find(([m]) => m);
  let view;
  try {
    view = match ? await match[1](...match[0].slice(1)) : notFound();
  } catch (error) {
    view = failure(error);
  }
  // A slower answer for a screen the facilitator has already left is dropped.
  if (ticket !== navigation) return;

  fill(main, view.node);
  screenChanged();
  document.title = view.title ? `${view.title} – Fieldbook` : 'Fieldbook';
  for (const a of document.querySelectorAll('.nav-link')) {
    if (a.dataset.place === view.place) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  if (focusId) {
    focusById(focusId);
    return;
  }
  const focus = view.focus ?? main.querySelector('h1');
  if (focus && !firstScreen) {
    if (!focus.matches('input, select, textarea, button, a[href]')) focus.setAttribute('tabindex', '-1');
    focus.focus();
  }
  if (!view.keepScroll) window.scrollTo(0, 0);
  firstScreen = false;
}

function notFound() {
  return {
    title: 'Page not found',
    node: h('div', { class: 'error-box', role: 'alert' },
      h('h1', {}, 'There is nothing at this address'),
      h('p', {}, 'The link may be out of date.'),
      h('p', {}, h('a', { href: '#/programmes' }, 'Go to your programmes'))),
  };
}

function failure(error) {
  return {
    title: 'Something went wrong',
    node: h('div', { class: 'error-box', role: 'alert' },
      h('h1', {}, 'Fieldbook could not show this'),
      h('p', {}, error?.message ?? String(error)),
      h('p', {}, h('a', { href: '#/programmes' }, 'Go to your programmes'))),
  };
}

function cannotOpen(status) {
  fill(main, 
    h('div', { class: 'error-box', role: 'alert' },
      h('h1', {}, 'Fieldbook could not open your data'),
      h('p', {}, status.error.message),
      h('p', { class: 'muted' }, 'Data folder: ', h('code', {}, status.data_dir || 'none')),
      h('p', {}, 'Nothing has been changed. Close Fieldbook, put the problem right, then open it again.')));
  document.title = 'Fieldbook could not open your data';
}

function shortcuts(event) {
  if (capturing()) return;
  if (event.altKey && !event.ctrlKey && !event.metaKey) {
    if (event.key === '1') { location.hash = '#/programmes'; event.preventDefault(); }
    if (event.key === '2') { location.hash = '#/library'; event.preventDefault(); }
    if (event.key === '3') { location.hash = '#/sync'; event.preventDefault(); }
    if (event.key === '4') { location.hash = '#/settings'; event.preventDefault(); }
    if (event.key === '5') { location.hash = '#/reflections'; event.preventDefault(); }
    if (event.key === '6') { location.hash = '#/themes'; event.preventDefault(); }
    if (event.key === 'ArrowLeft') { history.back(); event.preventDefault(); }
    if (event.key === 'ArrowRight') { history.forward(); event.preventDefault(); }
    return;
  }
  const typing = event.target.closest?.('input, textarea, select, [contenteditable="true"]');
  if (event.key === '/' && !typing && !event.ctrlKey && !event.metaKey) {
    event.preventDefault();
    const search = document.getElementById('library-search');
    if (search) search.focus();
    else { requestSearchFocus(); location.hash = '#/library'; }
  }
}

async function start() {
  let status;
  try {
    status = await api.appStatus();
  } catch (error) {
    status = { error, data_dir: '' };
  }
  if (status.error) {
    cannotOpen(status);
    return;
  }
  await loadChoices();
  window.addEventListener('hashchange', () => show());
  onRefresh(show);
  document.addEventListener('keydown', shortcuts);
  await show();
  document.body.dataset.ready = 'true';
  // For the start-up budget (scripts and benches read it); nothing is sent anywhere.
  api.startupTime().then((ms) => { if (ms !== null) document.body.dataset.startupMs = String(ms); }).catch(() => {});
}

start();
