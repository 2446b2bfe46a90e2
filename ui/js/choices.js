// The lists the window offers (sectors, agenda item kinds, export formats) and the search
// marks, as the core declares them: loaded once at start, so the window never keeps its own
// copy.

import { api } from './api.js';

export const choices = { sectors: [], item_kinds: [], export_formats: [], mark_start: '\u0002', mark_end: '\u0003' };

export async function loadChoices() {
  Object.assign(choices, await api.choices());
}

/** [value, label] pairs for a select. */
export const pairs = (list) => list.map((c) => [c.value, c.label]);

/** The label of a stored value, or '' when it has none. */
export const labelOf = (list, value) => list.find((c) => c.value === value)?.label ?? '';
