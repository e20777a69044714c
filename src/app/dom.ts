/**
 * The few DOM helpers the pages are built with (no framework): an element with attributes and children, a
 * labelled field (every control has a label), a button, and a section.
 */
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | undefined | ((e: Event) => void)>;

/** `<tag attrs>children</tag>`; `on…` attributes are event listeners, booleans toggle the attribute. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === "function") el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (v === true) el.setAttribute(k, "");
    else if (typeof v === "string") el.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) el.append(c);
  return el;
}

let fieldCount = 0;

/** A control with its `<label>`; `hint` (if any) is tied to it with `aria-describedby`. */
export function field<E extends HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
  label: string,
  control: E,
  hint?: string,
): { row: HTMLElement; control: E } {
  control.id ||= `f${++fieldCount}`;
  const help = hint ? h("small", { id: `${control.id}-hint` }, hint) : null;
  if (help) control.setAttribute("aria-describedby", help.id);
  return { row: h("div", { class: "field" }, h("label", { for: control.id }, label), control, help), control };
}

/** A text input (amounts are typed as decimals, so not `type=number`, which would round them). */
export const input = (attrs: Attrs = {}) => h("input", { type: "text", autocomplete: "off", ...attrs });

export function select(options: [value: string, label: string][], attrs: Attrs = {}): HTMLSelectElement {
  return h("select", attrs, ...options.map(([value, label]) => h("option", { value }, label)));
}

export const button = (label: string, onClick: () => void, attrs: Attrs = {}) =>
  h("button", { type: "button", ...attrs, onclick: onClick }, label);

export const section = (title: string, ...children: Child[]) =>
  h("section", { "aria-label": title }, h("h2", {}, title), ...children);

/** Replaces an element's content. */
export function fill(el: Element, ...children: Child[]): void {
  el.replaceChildren(...children.filter((c): c is Node | string => c !== null && c !== undefined && c !== false));
}
