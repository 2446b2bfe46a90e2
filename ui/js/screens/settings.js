// Data and backups: where Fieldbook keeps its data, the backups it has made, and making or
// restoring one.

import { api } from '../api.js';
import { fill, h, heading } from '../dom.js';
import { errorMessage, notify, saving } from '../feedback.js';
import { refresh } from '../navigation.js';
import { confirmation } from '../confirm.js';
import { date } from '../format.js';

function size(bytes) {
  return bytes > 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

const REASONS = { daily: 'Daily', manual: 'Made by you', 'before-import': 'Before an import', 'before-restore': 'Before a restore', 'before-migration': 'Before an update' };

function retentionSection(past) {
  const result = h('div', { role: 'status' });
  const confirm = h('div');
  return h('section', { class: 'panel', 'aria-labelledby': 'retention-heading' },
    h('h2', { id: 'retention-heading' }, 'Past their retention period'),
    past.length
      ? [h('p', {}, 'These sessions are older than their programme keeps participants’ words. Deleting removes their reflections, actions, notes and attendance from this laptop, and the deletion reaches other laptops when they sync.'),
        h('table', { class: 'table' },
          h('thead', {}, h('tr', {}, ['Session', 'Date', 'Kept for', 'Holds'].map((c) => h('th', { scope: 'col' }, c)))),
          h('tbody', {}, past.map((p) => h('tr', { 'data-testid': 'past-retention' },
            h('td', {}, p.session), h('td', {}, date(p.date) ?? '—'), h('td', {}, `${p.retention_months} months`),
            h('td', {}, `${p.reflections} reflections, ${p.actions} actions, ${p.notes} notes, ${p.attendance} attendance marks`))))),
        h('button', { type: 'button', class: 'button button-warning', id: 'delete-past', onclick: (event) => confirmation({
          area: confirm, opener: event.currentTarget, id: 'confirm-delete-past',
          title: `Delete the personal data of ${past.length} session${past.length === 1 ? '' : 's'}?`,
          lines: ['This cannot be undone. Backups made before now still hold it until they are replaced.'],
          button: 'Delete this data',
          act: async () => {
            const removed = await saving(api.applyRetention(past.map((p) => p.session_id)));
            notify(`Deleted ${removed} records past their retention period.`);
            await refresh('retention-heading');
          },
        }) }, 'Delete this data…'),
        confirm]
      : h('p', { class: 'muted' }, 'Nothing is past its retention period. Set a programme’s period in its details.'),
    result);
}

// Where backups go, how many of each kind are kept and how much room they may take.
function backupLimits(policy) {
  const result = h('p', { role: 'status', class: 'hint', 'data-testid': 'backup-limits-result' });
  const kept = h('input', { id: 'backups-kept', type: 'number', min: 1, max: 100, value: policy.kept, 'aria-describedby': 'backups-kept-hint', inputmode: 'numeric' });
  const budget = h('input', { id: 'backups-budget', type: 'number', min: 1, value: Math.round(policy.budget_mb / 1024), 'aria-describedby': 'backups-budget-hint', inputmode: 'numeric' });
  const save = async () => {
    try {
      const saved = await saving(api.setBackupLimits(Number(kept.value), Math.round(Number(budget.value) * 1024)));
      fill(result, `Saved: ${saved.kept} of each kind, ${Math.round(saved.budget_mb / 1024)} GB in all at most.`);
    } catch (e) {
      fill(result, errorMessage(e, 'span'));
    }
  };
  kept.addEventListener('change', save);
  budget.addEventListener('change', save);
  return h('section', { class: 'panel', 'aria-labelledby': 'backup-limits-heading' },
    h('h2', { id: 'backup-limits-heading' }, 'Where backups go and how many are kept'),
    h('p', {}, 'Backups go to ', h('code', { 'data-testid': 'backup-folder' }, policy.folder), '.'),
    h('button', { type: 'button', class: 'button button-secondary', id: 'choose-backup-folder', onclick: async () => {
      try {
        const chosen = await api.chooseBackupFolder();
        if (chosen) await refresh('choose-backup-folder');
      } catch (e) {
        fill(result, errorMessage(e, 'span'));
      }
    } }, 'Choose another folder…'),
    h('div', { class: 'field' },
      h('label', { for: 'backups-kept' }, 'Backups kept of each kind'),
      h('span', { class: 'hint', id: 'backups-kept-hint' }, 'Daily, before an import, before an update… the oldest go first.'),
      kept),
    h('div', { class: 'field' },
      h('label', { for: 'backups-budget' }, 'Room all backups may take (GB)'),
      h('span', { class: 'hint', id: 'backups-budget-hint' }, 'Past this the oldest go, but the newest of each kind is always kept. A sync that brings in a little is covered by the day’s backup, so large data is not copied at every sync.'),
      budget),
    result);
}

/** What erasing someone means for the backups, in plain words. */
function erasureSection() {
  return h('section', { class: 'panel', 'aria-labelledby': 'erasure-heading', id: 'erasure' },
    h('h2', { id: 'erasure-heading', tabindex: '-1' }, 'Erasing someone, and your backups'),
    h('p', {}, 'Erasing a participant (from their page) removes their name, details, attendance, reflections and actions from this laptop at once, and the data file is compacted so their words do not linger in it. Every laptop that syncs with this one removes them too, at its next sync.'),
    h('ul', {},
      h('li', {}, h('strong', {}, 'Backups on this laptop made before the erasure still hold their data. '),
        'Fieldbook keeps the last few backups of each kind (daily, before an import, before a restore, before an update, made by you; how many is set above), so each is replaced as newer ones are made.'),
      h('li', {}, h('strong', {}, 'Backups you saved elsewhere '), '(a USB stick, a shared drive) are not touched by Fieldbook. Delete them, or record where they are, as your data-protection officer advises.'),
      h('li', {}, h('strong', {}, 'Restoring a backup made before an erasure brings that person back on this laptop. '), 'After such a restore, erase them again from their page.')),
    h('p', { class: 'hint' }, 'Anonymising keeps what they said without their name; their name and details follow the same rules as an erasure.'));
}

export async function settingsScreen(section) {
  const [status, past] = await Promise.all([api.dataStatus(), api.pastRetention()]);
  const result = h('p', { role: 'status', class: 'hint' });
  const erasure = erasureSection();
  const reason = (name) => Object.entries(REASONS).find(([k]) => name.startsWith(`${k}-`))?.[1] ?? 'Backup';
  return {
    title: 'Data and backups',
    place: 'settings',
    node: h('div', {},
      heading('Data and backups', `Everything is kept in one file on this laptop. Fieldbook backs it up every day you use it, before an import that brings in much or comes a day after the last backup, and before every update, and keeps the last ${status.policy.kept} of each.`),
      h('section', { class: 'panel', 'aria-labelledby': 'where-heading' },
        h('h2', { id: 'where-heading' }, 'Where your data is'),
        h('p', {}, h('code', { 'data-testid': 'database-path' }, status.database))),
      h('section', { class: 'panel', 'aria-labelledby': 'backups-heading' },
        h('h2', { id: 'backups-heading' }, 'Backups'),
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'button', id: 'backup-now', onclick: async () => {
            try {
              await saving(api.backupNow());
              notify('Backed up and checked.');
              await refresh('backup-now');
            } catch (e) {
              fill(result, errorMessage(e, 'span'));
            }
          } }, 'Back up now'),
          h('button', { type: 'button', class: 'button button-secondary', id: 'save-backup', onclick: async () => {
            try {
              const path = await api.saveBackupAs();
              fill(result, path ? ['Saved and checked: ', h('code', {}, path)] : 'Nothing was saved.');
            } catch (e) {
              fill(result, errorMessage(e, 'span'));
            }
          } }, 'Save a backup elsewhere…'),
          h('button', { type: 'button', class: 'button button-secondary', id: 'restore', onclick: async () => {
            try {
              fill(result, 'Checking the backup…');
              const restored = await api.restoreBackup();
              if (!restored) fill(result, 'Nothing was restored.');
            } catch (e) {
              fill(result, errorMessage(e, 'span'));
            }
          } }, 'Restore from a backup…')),
        h('p', { class: 'hint' }, 'Restoring checks the backup first and never replaces good data with a damaged file. Fieldbook then reopens; the data it replaced is kept as a backup too.'),
        result,
        status.backups.length
          ? h('table', { class: 'table' },
            h('caption', { class: 'visually-hidden' }, 'Backups on this laptop'),
            h('thead', {}, h('tr', {}, ['When', 'Why', 'Size'].map((c) => h('th', { scope: 'col' }, c)))),
            h('tbody', {}, status.backups.map((b) => h('tr', { 'data-testid': 'backup' },
              h('td', {}, b.modified ? new Date(b.modified).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' }) : '—'),
              h('td', {}, reason(b.name)),
              h('td', { class: 'num' }, size(b.bytes))))))
          : h('p', { class: 'muted' }, 'No backups yet.')),
      backupLimits(status.policy),
      erasure,
      retentionSection(past)),
    focus: section === 'erasure' ? erasure.querySelector('h2') : undefined,
    keepScroll: section === 'erasure',
  };
}
