/** The element with `data-testid="<id>"`, checked to be of the expected class. */
export function byTestId<T extends HTMLElement>(id: string, type: new () => T, root: ParentNode = document): T {
  const element = root.querySelector(`[data-testid="${id}"]`);
  if (!(element instanceof type)) throw new Error(`the page has no ${type.name} with data-testid="${id}"`);
  return element;
}

/** Creates an element whose text is set with textContent, so user data is never parsed as HTML. */
export function createElement<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className: string,
  text?: string,
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  element.className = className;
  if (text !== undefined) element.textContent = text;
  return element;
}
