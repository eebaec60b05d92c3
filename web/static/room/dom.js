// The one way the room's panels build elements. User text only ever goes in as text
// (textContent, or strings given to append(), which become text nodes): never as HTML.

/**
 * @typedef {object} ElementOptions
 * @property {string} [className]
 * @property {string} [text] Set as textContent.
 * @property {Record<string, string>} [attrs] Set with setAttribute.
 */

/**
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {ElementOptions} [options]
 * @param {(Node | string)[]} [children]
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) node.setAttribute(name, value);
  if (children.length) node.append(...children);
  return node;
}

/**
 * Make `nodes` the children of `parent`, in this order, moving only what is out of place.
 * A video or audio element taken out of the page pauses (Chromium does so at once, even when
 * it is put straight back), so media that stays must stay where it is.
 * @param {Element} parent
 * @param {Element[]} nodes
 */
export function placeChildren(parent, nodes) {
  const keep = new Set(nodes);
  for (const child of [...parent.children]) if (!keep.has(child)) child.remove();
  nodes.forEach((node, i) => {
    if (parent.children[i] !== node) parent.insertBefore(node, parent.children[i] ?? null);
  });
}

/**
 * The element with this id inside `root`; a missing one is a template bug, said loudly.
 * @template {HTMLElement} T
 * @param {ParentNode} root
 * @param {string} id
 * @param {new (...args: any[]) => T} type
 * @returns {T}
 */
export function part(root, id, type) {
  const node = root.querySelector(`#${id}`);
  if (!(node instanceof type)) throw new Error(`room page: #${id} is missing`);
  return node;
}

/**
 * Run `redraw`, which may rebuild or move what has focus inside `root`, and put focus back:
 * on the same element if it survived (moved elements lose focus), else on the element with
 * the same `data-key`, else on the closest focusable (tabindex -1) item that held it.
 * @param {HTMLElement} root
 * @param {() => void} redraw
 */
export function keepFocus(root, redraw) {
  const active = document.activeElement;
  if (!(active instanceof HTMLElement) || active === root || !root.contains(active)) {
    redraw();
    return;
  }
  const key = active.dataset.key;
  const holder = active.closest("[tabindex='-1'][id]")?.id;
  const text = active instanceof HTMLTextAreaElement || active instanceof HTMLInputElement ? active : null;
  const selection = text ? [text.selectionStart, text.selectionEnd] : null;
  redraw();
  if (document.activeElement === active) return;
  /** @type {Element | null} */
  let target = active.isConnected && root.contains(active) ? active : null;
  if (!target && key) target = root.querySelector(`[data-key="${CSS.escape(key)}"]`);
  if (!target && holder) target = root.querySelector(`#${CSS.escape(holder)}`);
  if (!(target instanceof HTMLElement)) return;
  target.focus({ preventScroll: true });
  if (selection && (target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement)) {
    try {
      target.setSelectionRange(selection[0], selection[1]);
    } catch {
      // Inputs of some types (number, checkbox) have no selection.
    }
  }
}
