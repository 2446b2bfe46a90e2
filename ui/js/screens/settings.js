// Data and backups: where Fieldbook keeps its data, the backups it has made, and making or
// restoring one.

import { api } from '../api.js';
import { fill, h } from '../dom.js';
import { notify, saving } from '../feedback.js';
import { refresh } from '../navigation.js';

function size(bytes) {
  return bytes > 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

const REASONS = { daily: 'Daily', manual: 'Made by you', 'before-import': 'Before an import', 'before-restore': 'Before a restore', 'before-migration': 'Before an update' };

export async function settingsScreen() {
  const status = await api.dataStatus();
  const result = h('p', { role: 'status', class: 'hint' });
  const reason = (name) => Object.entries(REASONS).find(([k]) => name.startsWith(`${k}-`))?.[1] ?? 'Backup';
  return {
    title: 'Data and backups',
    place: 'settings',
    node: h('div', {},
      h('h1', {}, 'Data and backups'),
      h('p', { class: 'lead' }, 'Everything is kept in one file on this laptop. Fieldbook backs it up every day you use it, before every import and before every update, and keeps the last five of each.'),
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
              fill(result, h('span', { class: 'field-error', role: 'alert' }, e.message));
            }
          } }, 'Back up now'),
          h('button', { type: 'button', class: 'button button-secondary', id: 'save-backup', onclick: async () => {
            try {
              const path = await api.saveBackupAs();
              fill(result, path ? ['Saved and checked: ', h('code', {}, path)] : 'Nothing was saved.');
            } catch (e) {
              fill(result, h('span', { class: 'field-error', role: 'alert' }, e.message));
            }
          } }, 'Save a backup elsewhere…'),
          h('button', { type: 'button', class: 'button button-secondary', id: 'restore', onclick: async () => {
            try {
              fill(result, 'Checking the backup…');
              const restored = await api.restoreBackup();
              if (!restored) fill(result, 'Nothing was restored.');
            } catch (e) {
              fill(result, h('span', { class: 'field-error', role: 'alert' }, e.message));
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
          : h('p', { class: 'muted' }, 'No backups yet.'))),
  };
}
