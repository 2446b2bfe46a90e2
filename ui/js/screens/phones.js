// Answers from phones, in run mode: the switch, the join address as a QR code and as text,
// the join code, how many phones and answers, help when phones cannot connect, refusals,
// and the projector view of the answers the facilitator lets through.

import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { plural } from '../format.js';
import { notify } from '../feedback.js';

const SVG = 'http://www.w3.org/2000/svg';

/** The QR code as one SVG path built from its modules: numbers only, no markup. */
export function qrSvg(qr, label) {
  const quiet = 4;
  const size = qr.width + quiet * 2;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${size} ${size}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  svg.setAttribute('class', 'qr');
  svg.setAttribute('shape-rendering', 'crispEdges');
  const paper = document.createElementNS(SVG, 'rect');
  paper.setAttribute('width', String(size));
  paper.setAttribute('height', String(size));
  paper.setAttribute('fill', '#ffffff');
  const ink = document.createElementNS(SVG, 'path');
  let d = '';
  qr.dark.forEach((dark, n) => {
    if (dark) d += `M${(n % qr.width) + quiet} ${Math.floor(n / qr.width) + quiet}h1v1h-1z`;
  });
  ink.setAttribute('d', d);
  ink.setAttribute('fill', '#000000');
  svg.append(paper, ink);
  return svg;
}

function help(port) {
  return h('details', { class: 'phones-help' },
    h('summary', {}, 'Phones cannot connect?'),
    h('ul', {},
      h('li', {}, 'Phones must be on the same Wi-Fi as this laptop. With no Wi-Fi in the room, turn on the laptop’s hotspot (in its network settings) and ask people to join it.'),
      h('li', {}, `If the laptop asks whether to allow Fieldbook through the firewall, allow it on private networks. Otherwise allow incoming connections on port ${port}.`),
      h('li', {}, 'Type the address exactly as shown, starting with http:// (not https). Some phones need mobile data turned off to open it.'),
      h('li', {}, 'Venue or guest Wi-Fi sometimes keeps devices apart. If nothing works, use the laptop’s hotspot.')));
}

/**
 * Phone answers for one session in run mode: the panel's parts, what the core last said
 * (`view`, null while off), the poll's timer and, while it is open, the projector's close.
 */
export function phonesFor(sessionId, { onAnswers } = {}) {
  const phones = {
    sessionId,
    onAnswers: onAnswers ?? (() => {}),
    view: null,
    timer: null,
    closeProjector: null,
    toggle: h('input', { type: 'checkbox', role: 'switch', id: 'phones-switch', 'aria-describedby': 'phones-hint' }),
    detail: h('div', { id: 'phones-detail', 'data-testid': 'phones-detail' }),
    counts: h('p', { role: 'status', 'data-testid': 'phones-counts' }),
    refusals: h('div'),
  };
  phones.toggle.addEventListener('change', () => switchPhones(phones, phones.toggle.checked));
  return phones;
}

/** The ids of answers let through to the projector. */
export function projectedAnswers(phones) {
  return new Set(phones.view?.projected ?? []);
}

export function phonesPanel(phones) {
  return h('section', { class: 'panel', 'aria-labelledby': 'phones-heading' },
    h('h2', { id: 'phones-heading' }, 'Answers from phones'),
    h('div', { class: 'checkbox' }, phones.toggle, h('label', { for: 'phones-switch' }, 'Let people answer from their phones')),
    h('p', { class: 'hint', id: 'phones-hint' }, 'People on the same Wi-Fi as this laptop, or on its hotspot, answer the current prompt on a page this laptop serves. Nothing goes to the internet. It stops when you leave run mode.'),
    phones.detail);
}

async function switchPhones(phones, on) {
  phones.toggle.disabled = true;
  try {
    if (on) {
      showPhones(phones, await api.phonesStart(phones.sessionId));
      phones.timer ??= setInterval(() => pollPhones(phones), 2000);
      // The QR code is what the room needs next: bring it into view on a small screen.
      phones.detail.querySelector('.phones-join')?.scrollIntoView({ block: 'nearest' });
    } else {
      await stopPhones(phones);
    }
  } catch (error) {
    phones.toggle.checked = false;
    showPhones(phones, null);
    notify(error.message);
  } finally {
    phones.toggle.disabled = false;
  }
}

/** Phone answers are off: no more polling, and the panel shows the switch alone. */
function phonesOff(phones) {
  clearInterval(phones.timer);
  phones.timer = null;
  phones.toggle.checked = false;
  showPhones(phones, null);
}

/** Switches phone answers off and forgets them (leaving run mode, another session). */
export async function stopPhones(phones) {
  phonesOff(phones);
  await api.phonesStop();
}

async function pollPhones(phones) {
  try {
    const view = await api.phonesStatus(phones.sessionId);
    if (!view) {
      phonesOff(phones);
      return;
    }
    const arrived = view.answers !== phones.view?.answers;
    phones.view = { ...phones.view, ...view };
    updateCounts(phones);
    if (arrived) phones.onAnswers();
  } catch {
    // The next poll tries again.
  }
}

function showPhones(phones, view) {
  const answers = phones.view?.answers;
  phones.view = view;
  if (!view) {
    fill(phones.detail);
    return;
  }
  const others = view.other_urls.length
    ? h('p', { class: 'hint' }, 'On another network of this laptop: ', view.other_urls.map((u, n) => [n ? ', ' : '', h('code', {}, u)]))
    : null;
  fill(phones.detail,
    h('div', { class: 'phones-join' },
      qrSvg(view.qr, 'QR code of the join address: point a phone’s camera at it'),
      h('div', {},
        h('p', {}, 'Scan the code, or type this address:'),
        h('p', { class: 'join-url' }, h('code', { 'data-testid': 'phones-url' }, view.join_url)),
        others,
        h('p', {}, 'Join code: ', h('strong', { class: 'join-code', 'data-testid': 'phones-code' }, view.code)))),
    phones.counts,
    h('button', { type: 'button', class: 'button button-secondary', id: 'projector-open', onclick: () => openProjector(phones) }, 'Show on the projector'),
    help(view.port),
    phones.refusals);
  updateCounts(phones);
  if (answers !== undefined && answers !== view.answers) phones.onAnswers();
}

function updateCounts(phones) {
  const v = phones.view;
  phones.counts.textContent = `${plural(v.phones, 'phone')} joined · ${plural(v.answers, 'answer')} received`;
  if (!v.refusals_total) {
    fill(phones.refusals);
    return;
  }
  const open = phones.refusals.querySelector('details')?.open ?? false;
  fill(phones.refusals, h('details', { class: 'phones-refusals', open: open || null },
    h('summary', {}, `${plural(v.refusals_total, 'request')} refused`),
    h('ul', {}, v.refusals.slice(0, 20).map((r) => h('li', {},
      h('span', { class: 'time' }, new Date(r.at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' })),
      ` ${r.reason}, from ${r.from}`, r.times > 1 ? ` (${r.times} times)` : '')))));
}

/** Lets an answer through to the projector, or takes it off. */
export async function projectAnswer(phones, reflectionId, shown) {
  await api.phonesProject(reflectionId, shown);
  const set = projectedAnswers(phones);
  if (shown) set.add(reflectionId); else set.delete(reflectionId);
  phones.view.projected = [...set];
}

/**
 * A full-window view for the projector: how to join (the QR code and the address, for the
 * room to scan), then the answers let through, large, without names.
 */
function openProjector(phones) {
  const list = h('ul', { class: 'projector-answers', 'data-testid': 'projector-answers' });
  const close = h('button', { type: 'button', class: 'button', id: 'projector-close' }, 'Close the projector view');
  const join = phones.view
    ? h('div', { class: 'projector-join', 'data-testid': 'projector-join' },
      qrSvg(phones.view.qr, 'QR code of the join address: point a phone’s camera at it'),
      h('div', {},
        h('p', {}, 'Answer from your phone: join this room’s Wi-Fi, then scan the code or type'),
        h('p', { class: 'join-url' }, h('code', {}, phones.view.join_url))))
    : null;
  const overlay = h('div', { class: 'projector', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': 'projector-heading' },
    join,
    h('h2', { id: 'projector-heading' }, 'Your answers'),
    list,
    close);
  const opener = document.activeElement;
  const draw = async () => {
    const texts = await api.phonesProjector().catch(() => []);
    fill(list, texts.length
      ? texts.map((t) => h('li', {}, t))
      : h('li', { class: 'projector-empty' }, 'Nothing to show yet. Answers appear here when you let them through.'));
  };
  const timer = setInterval(draw, 2000);
  const shut = () => {
    clearInterval(timer);
    window.removeEventListener('keydown', escape, true);
    overlay.remove();
    opener?.focus?.();
  };
  const escape = (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      shut();
    } else if (event.key !== 'Tab') {
      // Run mode's keys wait while the projector is shown.
      event.stopPropagation();
    }
  };
  close.addEventListener('click', shut);
  // On the window, so it comes before run mode's keys (on the document).
  window.addEventListener('keydown', escape, true);
  phones.closeProjector = shut;
  draw();
  document.body.append(overlay);
  close.focus();
}
