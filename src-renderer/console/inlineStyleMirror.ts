import { toDisposable, type Disposable } from '../../common/disposable';

/**
 * xterm writes some of its CSS into <style> elements it creates at run time
 * (the scrollbar colours; with the DOM renderer, the theme's colours and the
 * row layout). Our Content-Security-Policy (`style-src 'self'`) blocks inline
 * <style> content, so the DOM renderer would draw without colours. This
 * mirrors every <style> under `root` into a constructed stylesheet adopted by
 * the document: constructed stylesheets are CSSOM, which the policy allows,
 * like element.style. The blocked originals stay (the browser logs a
 * violation for each, harmlessly).
 */
export function mirrorInlineStyles(root: HTMLElement): Disposable {
  const doc = root.ownerDocument;
  if (!('adoptedStyleSheets' in doc) || typeof CSSStyleSheet === 'undefined') return toDisposable(() => {});
  const mirrors = new Map<HTMLStyleElement, { sheet: CSSStyleSheet; text: string }>();

  const sync = (): void => {
    const present = new Set(root.querySelectorAll('style'));
    for (const [style, mirror] of mirrors) {
      if (present.has(style)) continue;
      mirrors.delete(style);
      doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((sheet) => sheet !== mirror.sheet);
    }
    for (const style of present) {
      const text = style.textContent ?? '';
      let mirror = mirrors.get(style);
      if (!mirror) {
        mirror = { sheet: new CSSStyleSheet(), text: '' };
        mirrors.set(style, mirror);
        doc.adoptedStyleSheets = [...doc.adoptedStyleSheets, mirror.sheet];
      }
      if (mirror.text !== text) {
        mirror.sheet.replaceSync(text);
        mirror.text = text;
      }
    }
  };

  const observer = new MutationObserver(sync);
  observer.observe(root, { subtree: true, childList: true, characterData: true });
  sync();
  return toDisposable(() => {
    observer.disconnect();
    const ours = new Set([...mirrors.values()].map((mirror) => mirror.sheet));
    doc.adoptedStyleSheets = doc.adoptedStyleSheets.filter((sheet) => !ours.has(sheet));
    mirrors.clear();
  });
}
