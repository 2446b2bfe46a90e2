// How times, dates and durations read in British English.

const dateFormat = new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const monthFormat = new Intl.DateTimeFormat('en-GB', { month: 'short', year: 'numeric', timeZone: 'UTC' });

/** "2027-01-20" -> "Wed 20 January 2027" */
export function date(iso) {
  if (!iso) return null;
  return dateFormat.format(new Date(`${iso}T00:00:00Z`));
}

/** A cohort's dates: "Jan 2027 to May 2027". */
export function cohort(start, end) {
  if (!start && !end) return null;
  if (start && end) return `${date(start)} to ${date(end)}`;
  return date(start || end);
}

export function month(iso) {
  return iso ? monthFormat.format(new Date(`${iso}T00:00:00Z`)) : null;
}

/** 45 -> "45 min", 90 -> "1 h 30 min", 120 -> "2 h" */
export function minutes(total) {
  const h = Math.floor(total / 60);
  const m = total % 60;
  if (!h) return `${m} min`;
  return m ? `${h} h ${m} min` : `${h} h`;
}

export function plural(n, one, many = `${one}s`) {
  return `${Number(n).toLocaleString('en-GB')} ${n === 1 ? one : many}`;
}

const kinds = { activity: 'Activity', break: 'Break', plenary: 'Plenary', breakout: 'Breakout', pairs: 'Pairs' };
export function kind(k) {
  return kinds[k] ?? k;
}
