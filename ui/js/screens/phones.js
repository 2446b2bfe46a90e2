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

export class PhonesPanel {
  constructor(sessionId, { onAnswers } = {}) {
    this.sessionId = sessionId;
    this.onAnswers = onAnswers ?? (() => {});
    this.view = null;
    this.timer = null;
    this.toggle = h('input', { type: 'checkbox', role: 'switch', id: 'phones-switch', 'aria-describedby': 'phones-hint' });
    this.toggle.addEventListener('change', () => this.switchTo(this.toggle.checked));
    this.detail = h('div', { id: 'phones-detail', 'data-testid': 'phones-detail' });
    this.counts = h('p', { role: 'status', 'data-testid': 'phones-counts' });
    this.refusals = h('div');
  }

  /** The ids of answers let through to the projector. */
  projected() {
    return new Set(this.view?.projected ?? []);
  }

  render() {
    return h('section', { class: 'panel', 'aria-labelledby': 'phones-heading' },
      h('h2', { id: 'phones-heading' }, 'Answers from phones'),
      h('div', { class: 'checkbox' }, this.toggle, h('label', { for: 'phones-switch' }, 'Let people answer from their phones')),
      h('p', { class: 'hint', id: 'phones-hint' }, 'People on the same Wi-Fi as this laptop, or on its hotspot, answer the current prompt on a page this laptop serves. Nothing goes to the internet. It stops when you leave run mode.'),
      this.detail);
  }

  async switchTo(on) {
    this.toggle.disabled = true;
    try {
      if (on) {
        this.show(await api.phonesStart(this.sessionId));
        this.timer ??= setInterval(() => this.poll(), 2000);
        // The QR code is what the room needs next: bring it into view on a small screen.
        this.detail.querySelector('.phones-join')?.scrollIntoView({ block: 'nearest' });
      } else {
        await this.stop();
      }
    } catch (error) {
      this.toggle.checked = false;
      this.show(null);
      notify(error.message);
    } finally {
      this.toggle.disabled = false;
    }
  }

  /** Switches phone answers off and forgets them (leaving run mode, another session). */
  async stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.toggle.checked = false;
    this.show(null);
    await api.phonesStop();
  }

  async poll() {
    try {
      const view = await api.phonesStatus(this.sessionId);
      if (!view) {
        clearInterval(this.timer);
        this.timer = null;
        this.toggle.checked = false;
        this.show(null);
        return;
      }
      const arrived = view.answers !== this.view?.answers;
      this.view = { ...this.view, ...view };
      this.update();
      if (arrived) this.onAnswers();
    } catch {
      // The next poll tries again.
    }
  }

  show(view) {
    const answers = this.view?.answers;
    this.view = view;
    if (!view) {
      fill(this.detail);
      return;
    }
    const others = view.other_urls.length
      ? h('p', { class: 'hint' }, 'On another network of this laptop: ', view.other_urls.map((u, n) => [n ? ', ' : '', h('code', {}, u)]))
      : null;
    fill(this.detail,
      h('div', { class: 'phones-join' },
        qrSvg(view.qr, 'QR code of the join address: point a phone’s camera at it'),
        h('div', {},
          h('p', {}, 'Scan the code, or type this address:'),
          h('p', { class: 'join-url' }, h('code', { 'data-testid': 'phones-url' }, view.join_url)),
          others,
          h('p', {}, 'Join code: ', h('strong', { class: 'join-code', 'data-testid': 'phones-code' }, view.code)))),
      this.counts,
      h('button', { type: 'button', class: 'button button-secondary', id: 'projector-open', onclick: () => this.openProjector() }, 'Show on the projector'),
      help(view.port),
      this.refusals);
    this.update();
    if (answers !== undefined && answers !== view.answers) this.onAnswers();
  }

  update() {
    const v = this.view;
    this.counts.textContent = `${plural(v.phones, 'phone')} joined · ${plural(v.answers, 'answer')} received`;
    if (!v.refusals_total) {
      fill(this.refusals);
      return;
    }
    const open = this.refusals.querySelector('details')?.open ?? false;
    fill(this.refusals, h('details', { class: 'phones-refusals', open: open || null },
      h('summary', {}, `${plural(v.refusals_total, 'request')} refused`),
      h('ul', {}, v.refusals.slice(0, 20).map((r) => h('li', {},
        h('span', { class: 'time' }, new Date(r.at).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit', second: '2-digit' })),
        ` ${r.reason}, from ${r.from}`, r.times > 1 ? ` (${r.times} times)` : '')))));
  }

  /** Lets an answer through to the projector, or takes it off. */
  async project(reflectionId, shown) {
    await api.phonesProject(reflectionId, shown);
    const set = this.projected();
    if (shown) set.add(reflectionId); else set.delete(reflectionId);
    this.view.projected = [...set];
  }

  /**
   * A full-window view for the projector: how to join (the QR code and the address, for the
   * room to scan), then the answers let through, large, without names.
   */
  openProjector() {
    const list = h('ul', { class: 'projector-answers', 'data-testid': 'projector-answers' });
    const close = h('button', { type: 'button', class: 'button', id: 'projector-close' }, 'Close the projector view');
    const join = this.view
      ? h('div', { class: 'projector-join', 'data-testid': 'projector-join' },
        qrSvg(this.view.qr, 'QR code of the join address: point a phone’s camera at it'),
        h('div', {},
          h('p', {}, 'Answer from your phone: join this room’s Wi-Fi, then scan the code or type'),
          h('p', { class: 'join-url' }, h('code', {}, this.view.join_url))))
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
    this.closeProjector = shut;
    draw();
    document.body.append(overlay);
    close.focus();
  }
}
