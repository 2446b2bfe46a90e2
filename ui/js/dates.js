// Dates and times as a British facilitator types them: day/month/year and the 24-hour clock,
// in plain text fields (the system's date field follows the machine's locale and shows
// today's date in grey when empty, which looks set). The core keeps ISO dates.

export const DATE_HINT = 'Day/month/year, for example 27/03/2027';
export const TIME_HINT = '24-hour clock, for example 12:30';

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const refuse = (message) => ({ code: 'invalid', message: `${message} Nothing has been changed.` });

/** "2027-03-27" -> "27/03/2027"; nothing -> "". */
export function dateText(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return m ? `${m[3]}/${m[2]}/${m[1]}` : '';
}

/** What was typed as an ISO date ("27/3/2027" -> "2027-03-27"), null when empty; throws a
 * message in the facilitator's words otherwise. */
export function readDate(text) {
  const typed = text.trim();
  if (!typed) return null;
  let day;
  let month;
  let year;
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(typed);
  const british = /^(\d{1,2})[/.\-\s]+(\d{1,2})[/.\-\s]+(\d{2}|\d{4})$/.exec(typed);
  if (iso) [, year, month, day] = iso.map(Number);
  else if (british) [, day, month, year] = british.map(Number);
  else throw refuse(`Enter the date as day/month/year, such as 27/03/2027 (you typed “${typed}”).`);
  if (british && british[3].length === 2) year += 2000;
  if (year < 1900 || year > 2200) throw refuse(`Write the year in full, such as 2027 (you typed ${year}).`);
  if (month < 1 || month > 12) throw refuse(`There is no month ${month}: the month comes second, as in 27/03/2027.`);
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day < 1 || day > last) throw refuse(`There is no ${day} ${MONTHS[month - 1]} ${year}: check the day.`);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** What was typed as "HH:MM" ("9:05", "0905", "9.05", "9" -> "09:00"), null when empty. */
export function readTime(text) {
  const typed = text.trim();
  if (!typed) return null;
  const m = /^(\d{1,2})(?:[:.h]?(\d{2}))?$/.exec(typed);
  if (!m) throw refuse(`Enter the time on the 24-hour clock, such as 12:30 (you typed “${typed}”).`);
  const hours = Number(m[1]);
  const mins = Number(m[2] ?? 0);
  if (hours > 23 || mins > 59) throw refuse(`${typed} is not a time of day: use the 24-hour clock, from 00:00 to 23:59.`);
  return `${String(hours).padStart(2, '0')}:${String(mins).padStart(2, '0')}`;
}
