// One participant: their consent with dates, everything held about them, and erasure or
// anonymisation for a data-protection request.

import { api } from '../api.js';
import { fill, h, heading } from '../dom.js';
import { notify, saving } from '../feedback.js';
import { confirmation } from '../confirm.js';

const CONSENTS = [
  ['named', 'consent_named', 'To be named in notes'],
  ['quoted', 'consent_quoted', 'To be quoted'],
  ['contact', 'consent_contact', 'To be contacted afterwards'],
];

function when(iso) {
  return iso ? new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : null;
}

export async function participantScreen(id) {
  const person = await api.getParticipant(id);
  const consentRow = ([key, field, label]) => {
    const box = h('input', { type: 'checkbox', id: `consent-${key}`, checked: person[field] ? true : null, 'aria-describedby': `consent-${key}-when` });
    const date = h('span', { class: 'hint', id: `consent-${key}-when` }, person[`${field}_at`] ? ` ${person[field] ? 'Given' : 'Withdrawn'} ${when(person[`${field}_at`])}` : ` ${person[field] ? 'Given' : 'Not given'}`);
    box.addEventListener('change', async () => {
      try {
        const updated = await saving(api.setConsent(id, key, box.checked));
        fill(date, ` ${updated[field] ? 'Given' : 'Withdrawn'} ${when(updated[`${field}_at`])}`);
      } catch (e) {
        box.checked = !box.checked;
        notify(e.message);
      }
    });
    return h('div', { class: 'checkbox' }, box, h('label', { for: `consent-${key}` }, label), date);
  };

  const confirmArea = h('div', { role: 'region', 'aria-label': 'Confirm' });
  const leave = () => { location.hash = person.version_id ? `#/versions/${person.version_id}/cohort` : '#/programmes'; };
  const backups = h('p', {}, 'Backups made before now still hold their data until they are replaced: ',
    h('a', { href: '#/settings/erasure', id: 'erasure-and-backups' }, 'what happens to backups'), '.');
  const anonymise = (event) => confirmation({
    area: confirmArea, opener: event.currentTarget, id: 'confirm-anonymise',
    title: `Anonymise ${person.name}?`,
    lines: ['Their reflections and actions stay, without their name. Their name and details are removed.',
      'This cannot be undone, here or on any laptop that syncs with this one.', backups],
    button: `Anonymise ${person.name}`,
    act: async () => {
      await saving(api.anonymiseParticipant(id));
      notify(`Anonymised ${person.name}: their words are kept without their name. Other laptops follow at their next sync.`);
      leave();
    },
  });
  const erase = (event) => confirmation({
    area: confirmArea, opener: event.currentTarget, id: 'confirm-erase', confirmText: person.name,
    title: `Erase ${person.name} everywhere?`,
    lines: ['Their name, details, attendance, reflections and actions are removed from this laptop now, and from every laptop that syncs with it at its next sync.',
      'This cannot be undone.', backups],
    button: `Erase ${person.name} everywhere`,
    act: async () => {
      await saving(api.eraseParticipant(id));
      notify(`Erased ${person.name} from this laptop; other laptops follow at their next sync. Older backups still hold them until replaced (see Data and backups).`);
      leave();
    },
  });

  const result = h('p', { role: 'status', class: 'hint' });
  return {
    title: person.name,
    place: 'programmes',
    node: h('div', {},
      person.version_id ? h('p', {}, h('a', { href: `#/versions/${person.version_id}/cohort` }, 'Back to the cohort')) : null,
      heading(person.name, [person.role, person.organisation].filter(Boolean).join(', ') || 'No organisation recorded.'),
      h('fieldset', { class: 'panel consent' },
        h('legend', {}, 'Consent'),
        h('p', { class: 'hint' }, 'Changes are saved at once, with the date. Exports made from now on follow them.'),
        CONSENTS.map(consentRow)),
      h('section', { class: 'panel', 'aria-labelledby': 'held-heading' },
        h('h2', { id: 'held-heading' }, 'Everything we hold'),
        h('p', {}, 'Their details, attendance, reflections (with earlier wordings) and actions, as one file to send them.'),
        h('button', { type: 'button', class: 'button button-secondary', id: 'export-held', onclick: async () => {
          try {
            const path = await api.exportParticipantData(id);
            fill(result, path ? ['Saved to ', h('code', { 'data-testid': 'held-path' }, path)] : 'Nothing was saved.');
          } catch (e) {
            fill(result, h('span', { class: 'field-error' }, e.message));
          }
        } }, 'Save everything we hold…'),
        result),
      h('section', { class: 'panel', 'aria-labelledby': 'remove-heading' },
        h('h2', { id: 'remove-heading' }, 'Remove their data'),
        h('p', {}, h('strong', {}, 'Anonymise'), ': keep what they said, but no longer say who said it. ', h('strong', {}, 'Erase'), ': remove who they are and everything they said or committed to, everywhere.'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'button button-secondary', id: 'anonymise', onclick: anonymise }, 'Anonymise…'),
          h('button', { type: 'button', class: 'button button-warning', id: 'erase', onclick: erase }, 'Erase…')),
        confirmArea)),
  };
}
