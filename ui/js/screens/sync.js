// Sync: the sync folder every laptop shares, conflicts to settle, and bundle files for
// sending by hand (USB stick, email).

import { api } from '../api.js';
import { fill, h, heading } from '../dom.js';
import { plural } from '../format.js';
import { errorMessage, notify } from '../feedback.js';
import { refresh } from '../navigation.js';

const KIND_NAMES = {
  programme: 'Programme', programme_version: 'Version', session: 'Session', agenda_item: 'Agenda item',
  exercise: 'Exercise', participant: 'Participant', reflection: 'Reflection', facilitator_note: 'Note',
  run_event: 'Run log entry', attendance: 'Attendance', action: 'Action',
};
const HIDDEN = new Set(['id', 'stamp', 'origin', 'created_at', 'updated_at', 'deleted', 'base_snapshot', 'position']);

function label(record) {
  return record?.title || record?.name || (record?.text ? `“${record.text.slice(0, 60)}”` : 'A record');
}

function summary(preview) {
  const parts = [plural(preview.adds, 'record') + ' added', `${preview.updates} updated`, `${preview.deletes} deleted`];
  if (preview.conflicts) parts.push(plural(preview.conflicts, 'conflict') + ' to settle');
  return parts.join(', ');
}

function merged(files, preview) {
  if (!files) return 'Nothing new from the other laptops.';
  return `Merged ${plural(files, 'file')} from the other laptops: ${summary(preview)}.`;
}

// Files that were skipped or are still arriving, and clocks that look wrong: named, so that
// someone can act on them, while everything else merged.
function problems(report) {
  return [
    (report.skipped ?? []).length
      ? h('div', { class: 'notice', 'data-testid': 'sync-skipped' },
        h('p', {}, `${plural(report.skipped.length, 'file')} in the sync folder could not be used; everything else was merged.`),
        h('ul', {}, report.skipped.map((s) => h('li', {}, h('code', {}, s.file), `: ${s.reason}`))))
      : null,
    (report.waiting ?? []).length
      ? h('p', { class: 'hint', 'data-testid': 'sync-waiting' }, `Still arriving, left for the next sync: ${report.waiting.join(', ')}`)
      : null,
    ...(report.clocks ?? []).map((c) => h('p', { class: 'notice', 'data-testid': 'sync-clock' }, c.message)),
  ];
}

function passphraseField(id) {
  const input = h('input', { id, type: 'password', autocomplete: 'off', 'aria-describedby': `${id}-hint` });
  return {
    input,
    node: h('div', { class: 'field' },
      h('label', { for: id }, 'Passphrase (optional)'),
      h('span', { class: 'hint', id: `${id}-hint` }, 'If your team protects its bundles, every laptop uses the same passphrase.'),
      input),
  };
}

function conflictCard(conflict, index) {
  const versions = [conflict.winner, ...conflict.losers];
  const fields = Object.keys(conflict.winner ?? {}).filter((k) => !HIDDEN.has(k)
    && versions.some((v) => JSON.stringify(v?.[k]) !== JSON.stringify(conflict.winner[k])));
  const shown = (value) => (value === null || value === undefined || value === '' ? '(none)' : Array.isArray(value) ? value.join(', ') : String(value));
  const keep = async (chosen, what) => {
    try {
      await api.resolveConflict(conflict.record_id, chosen);
      notify(`Settled: kept ${what}.`);
      await refresh('conflicts-heading');
    } catch (e) {
      notify(e.message);
    }
  };
  const edits = new Map();
  const editable = fields.filter((f) => typeof conflict.winner[f] === 'string');
  return h('li', { class: 'panel conflict', 'data-testid': 'conflict' },
    h('h3', {}, `${KIND_NAMES[conflict.kind] ?? conflict.kind}: ${label(conflict.winner)}`),
    h('p', { class: 'hint' }, 'Two laptops changed this at the same time. Every laptop shows the same version until you choose; nothing is lost either way.'),
    h('table', { class: 'table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Field'), versions.map((_, n) => h('th', { scope: 'col' }, n === 0 ? 'Shown now' : `Other version ${versions.length > 2 ? n : ''}`.trim())))),
      h('tbody', {}, fields.map((f) => h('tr', {}, h('th', { scope: 'row' }, f.replace(/_/g, ' ')), versions.map((v) => h('td', { class: 'pre' }, v?.deleted ? '(deleted)' : shown(v?.[f]))))))),
    h('div', { class: 'actions' }, versions.map((v, n) => h('button', {
      type: 'button', class: n === 0 ? 'button' : 'button button-secondary', id: `keep-${index}-${n}`,
      onclick: () => keep(v, n === 0 ? 'the version shown now' : 'the other version'),
    }, n === 0 ? 'Keep the version shown now' : 'Keep the other version'))),
    editable.length
      ? h('details', { class: 'details-editor' },
        h('summary', {}, 'Or write your own version'),
        editable.map((f) => {
          const id = `edit-${index}-${f}`;
          const input = h('textarea', { id, rows: 2 });
          input.value = conflict.winner[f];
          edits.set(f, input);
          return h('div', { class: 'field' }, h('label', { for: id }, f.replace(/_/g, ' ')), input);
        }),
        h('button', { type: 'button', class: 'button button-secondary', onclick: () => {
          const chosen = { ...conflict.winner };
          for (const [f, input] of edits) chosen[f] = input.value;
          keep(chosen, 'your own version');
        } }, 'Keep my version'))
      : null);
}

export async function syncScreen() {
  const [status, conflicts] = await Promise.all([api.syncStatus(), api.listConflicts()]);
  const pass = passphraseField('sync-passphrase');
  const result = h('div', { role: 'status', 'data-testid': 'sync-result' });
  if (status.last_sync) {
    fill(result, h('p', { 'data-testid': 'sync-summary' }, `Last sync ${new Date(status.last_sync.at).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' })}: ${merged(status.last_sync.imported, status.last_sync.preview)}`),
      problems(status.last_sync));
  }
  const sync = async (allowLargeDelete) => {
    fill(result, h('p', {}, 'Syncing…'));
    try {
      const report = await api.syncNow(pass.input.value, allowLargeDelete);
      const wrote = report.written.length
        ? `Wrote ${plural(report.written_changes, 'change')} from this laptop for the others.`
        : 'Nothing new to write from this laptop.';
      fill(result, h('p', { 'data-testid': 'sync-summary' }, `${merged(report.merged.length, report.preview)} ${wrote}`), problems(report));
      // The summary above says what happened (and is announced); a toast here would cover it.
      if (report.preview.conflicts) await refresh('sync-now');
    } catch (e) {
      if (e.code === 'needs_confirmation') {
        fill(result, h('p', { class: 'notice', role: 'alert' }, e.message),
          h('button', { type: 'button', class: 'button button-warning', id: 'sync-anyway', onclick: () => sync(true) }, 'Sync anyway'));
      } else {
        fill(result, errorMessage(e));
      }
    }
  };
  const syncButton = h('button', { type: 'button', class: 'button', id: 'sync-now', disabled: status.folder ? null : true, onclick: () => sync(false) }, 'Sync now');

  const chosen = h('ul', { class: 'captured', 'aria-label': 'Bundles chosen' }, status.chosen_files.map((f) => h('li', {}, f)));
  const importPass = passphraseField('import-passphrase');
  const importResult = h('div', { role: 'status' });
  const doImport = async (dryRun) => {
    try {
      const preview = await api.importChosenBundles(importPass.input.value, dryRun);
      if (dryRun) {
        fill(importResult,
          h('p', {}, `Importing would bring: ${summary(preview)}.`),
          preview.large_delete ? h('p', { class: 'notice' }, 'This would delete a large part of what is on this laptop. Check that the bundle is the one you expect.') : null,
          h('button', { type: 'button', class: 'button', id: 'import-confirm', onclick: () => doImport(false) }, 'Import now'));
      } else {
        fill(importResult, h('p', {}, `Imported: ${summary(preview)}.`));
        notify('Import finished. A backup was made first.');
        fill(chosen);
      }
    } catch (e) {
      fill(importResult, errorMessage(e));
    }
  };

  return {
    title: 'Sync',
    place: 'sync',
    node: h('div', {},
      heading('Sync', 'Share sessions, reflections and edits between laptops without a server, through a folder that Syncthing, OneDrive, Nextcloud, a shared drive or a USB stick carries between them. Each sync adds only what is new on this laptop and merges only what the others added since. Nothing is ever lost, and concurrent edits are kept for you to settle.'),
      h('section', { class: 'panel', 'aria-labelledby': 'folder-heading' },
        h('h2', { id: 'folder-heading' }, 'Sync folder'),
        h('p', { 'data-testid': 'sync-folder' }, status.folder ? ['Folder: ', h('code', {}, status.folder)] : 'No folder chosen yet.'),
        h('p', {}, h('button', { type: 'button', class: 'button button-secondary', id: 'choose-folder', onclick: async () => {
          try {
            if (await api.chooseSyncFolder()) await refresh('sync-now');
          } catch (e) {
            notify(e.message);
          }
        } }, status.folder ? 'Choose another folder…' : 'Choose folder…')),
        pass.node,
        syncButton,
        result),
      h('section', { 'aria-labelledby': 'conflicts-heading' },
        h('h2', { id: 'conflicts-heading', tabindex: '-1' }, conflicts.length ? `Conflicts to settle (${conflicts.length})` : 'Conflicts'),
        conflicts.length
          ? h('ol', { class: 'conflict-list' }, conflicts.map(conflictCard))
          : h('p', { class: 'muted' }, 'None. When two laptops change the same thing at the same time, both versions appear here.')),
      h('section', { class: 'panel', 'aria-labelledby': 'files-heading' },
        h('h2', { id: 'files-heading' }, 'Bundle files'),
        h('p', { class: 'hint' }, 'To send by hand: export a bundle, and import bundles from other laptops. Importing shows what would change first, and makes a backup.'),
        importPass.node,
        h('div', { class: 'actions' },
          h('button', { type: 'button', class: 'button button-secondary', id: 'export-bundle', onclick: async () => {
            try {
              const path = await api.exportBundleFile(null, importPass.input.value);
              if (path) notify(`Saved the bundle to ${path}.`);
            } catch (e) {
              notify(e.message);
            }
          } }, 'Export a bundle…'),
          h('button', { type: 'button', class: 'button button-secondary', id: 'choose-bundles', onclick: async () => {
            try {
              const files = await api.chooseBundles();
              fill(chosen, files.map((f) => h('li', {}, f)));
              if (files.length) await doImport(true);
            } catch (e) {
              notify(e.message);
            }
          } }, 'Import bundles…')),
        chosen,
        importResult)),
  };
}
