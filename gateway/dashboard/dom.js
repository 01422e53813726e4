// DOM building without innerHTML: every string from the API (provider-supplied model names, URIs...) lands in
// the page as text, never as markup.

/**
 * Creates an element. `attrs` are attributes (true: present and empty; null, undefined or false: left out), except
 * functions under `on<event>` names, which become listeners. Children are nodes, strings, numbers, or nested arrays
 * of them; null, undefined and false are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") el.addEventListener(name.slice(2), value);
    else el.setAttribute(name, value === true ? "" : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces the children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** The element with this id (throws when the page lacks it: a broken page should fail loudly, not half-render). */
export function byId(id) {
  const el = document.getElementById(id);
  if (el === null) throw new Error(`the page has no #${id}`);
  return el;
}
