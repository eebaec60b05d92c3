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
