// Building the page from data. User text only ever becomes text nodes and attribute values,
// never HTML.

/**
 * h('a', { href: '#/x', class: 'link' }, 'text', child, [more])
 * Attributes whose value is null, undefined or false are left out; `on*` attach listeners.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Replaces an element's children; null, undefined and false are left out. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** A link inside the app, to a route such as `/sessions/ID`. */
export function link(route, ...children) {
  return h('a', { href: `#${route}` }, ...children);
}

export function breadcrumbs(...crumbs) {
  return h('nav', { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
    h('ol', {}, crumbs.map(([label, route]) => h('li', {}, route ? link(route, label) : h('span', { 'aria-current': 'page' }, label)))));
}

/** The top of a screen: its heading, then the line below it that says what the screen is for. */
export function heading(title, ...lead) {
  return [h('h1', {}, title), h('p', { class: 'lead' }, ...lead)];
}

export function tags(list, label) {
  if (!list?.length) return null;
  return h('ul', { class: 'tags', 'aria-label': label }, list.map((t) => h('li', { class: 'tag' }, t)));
}

export function facts(pairs) {
  const shown = pairs.filter(([, value]) => value !== null && value !== undefined && value !== '' && !(Array.isArray(value) && !value.length));
  return h('dl', { class: 'facts' }, shown.map(([term, value]) => h('div', {}, h('dt', {}, term), h('dd', {}, Array.isArray(value) ? value.join(', ') : value))));
}

/** Focuses the element with `id`; if it is a disabled button, the nearest enabled one beside it. */
export function focusById(id) {
  let element = document.getElementById(id);
  if (element?.disabled) element = element.parentElement.querySelector('button:not([disabled])') ?? element;
  element?.focus();
}
