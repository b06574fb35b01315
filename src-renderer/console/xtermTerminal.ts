import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { WebglAddon } from '@xterm/addon-webgl';
import { Terminal, type ITheme } from '@xterm/xterm';
import { DisposableStore, toDisposable, type Disposable } from '../../common/disposable';
import { mirrorInlineStyles } from './inlineStyleMirror';
import type { TerminalLike, TerminalSettings, TerminalSize } from './terminalLike';

export const DEFAULT_SCROLLBACK_LINES = 10_000;
export const DEFAULT_FONT_FAMILY = 'ui-monospace, "Cascadia Mono", "DejaVu Sans Mono", Menlo, Consolas, monospace';
export const DEFAULT_FONT_SIZE = 14;

/** Matches the console's slate palette (styles.css). */
export const DEFAULT_THEME: ITheme = {
  background: '#0f172a',
  foreground: '#e2e8f0',
  cursor: '#e2e8f0',
  selectionBackground: '#334155',
};

export type RendererKind = 'webgl' | 'dom' | 'none';

/**
 * The real terminal: xterm with the fit, WebGL, unicode11, search and
 * web-links addons. Talking to the session is not its business (the
 * controller does that); it renders, takes keys and fits its parent.
 */
export class XtermTerminal implements TerminalLike {
  private readonly terminal: Terminal;
  private readonly fitAddon = new FitAddon();
  private readonly searchAddon = new SearchAddon();
  private readonly disposables = new DisposableStore();
  private webgl: WebglAddon | undefined;
  private openLink: (uri: string) => void;
  private readonly gpuAcceleration: NonNullable<TerminalSettings['gpuAcceleration']>;
  private pasteListener: ((text: string) => void) | undefined;
  private rendererKind: RendererKind = 'none';
  private fitFrame: number | undefined;
  private disposed = false;

  constructor(settings: TerminalSettings = {}) {
    this.openLink = settings.openLink ?? openInNewWindow;
    this.gpuAcceleration = settings.gpuAcceleration ?? 'auto';
    this.terminal = new Terminal({
      scrollback: settings.scrollback ?? DEFAULT_SCROLLBACK_LINES,
      fontFamily: settings.fontFamily ?? DEFAULT_FONT_FAMILY,
      fontSize: settings.fontSize ?? DEFAULT_FONT_SIZE,
      // At 1.0 the DOM renderer clips the underscores of common monospace fonts (seen in screenshots).
      lineHeight: 1.15,
      theme: settings.theme ?? DEFAULT_THEME,
      cursorBlink: settings.cursorBlink ?? true,
      // Unicode11Addon registers through the proposed `unicode` API.
      allowProposedApi: true,
      // OSC 8 hyperlinks: same rule as plain URLs (Ctrl/Cmd-click, http(s) only).
      linkHandler: { activate: (event, uri) => this.activateLink(event, uri), allowNonHttpProtocols: false },
    });
    this.terminal.loadAddon(this.fitAddon);
    this.terminal.loadAddon(this.searchAddon);
    this.terminal.loadAddon(new Unicode11Addon());
    this.terminal.unicode.activeVersion = '11';
    this.terminal.loadAddon(new WebLinksAddon((event, uri) => this.activateLink(event, uri)));
    // Copy and paste keys that do not collide with the shell's Ctrl-C / Ctrl-V.
    this.terminal.attachCustomKeyEventHandler((event) => this.handleKey(event));
  }

  get cols(): number {
    return this.terminal.cols;
  }

  get rows(): number {
    return this.terminal.rows;
  }

  /** Which renderer draws now: none before open(), WebGL, or the DOM after WebGL failed or lost its context. */
  get renderer(): RendererKind {
    return this.rendererKind;
  }

  write(data: Uint8Array | string, parsed?: () => void): void {
    this.terminal.write(data, parsed);
  }

  paste(text: string): void {
    // xterm normalizes line endings and adds the bracketed-paste markers when
    // the application turned DECSET 2004 on (Clipboard.ts in xterm).
    this.terminal.paste(text);
  }

  onData(listener: (data: string) => void): Disposable {
    return this.terminal.onData(listener);
  }

  onBinary(listener: (data: string) => void): Disposable {
    return this.terminal.onBinary(listener);
  }

  onTitleChange(listener: (title: string) => void): Disposable {
    return this.terminal.onTitleChange(listener);
  }

  onResize(listener: (size: TerminalSize) => void): Disposable {
    return this.terminal.onResize(listener);
  }

  onPasteRequest(listener: (text: string) => void): Disposable {
    this.pasteListener = listener;
    return toDisposable(() => {
      if (this.pasteListener === listener) this.pasteListener = undefined;
    });
  }

  open(parent: HTMLElement): void {
    if (this.disposed) return;
    // Ahead of xterm's own paste handler (capture phase on the parent): the
    // controller sanitizes what is pasted before xterm brackets it.
    const onPaste = (event: ClipboardEvent): void => {
      if (!this.pasteListener) return;
      event.preventDefault();
      event.stopPropagation();
      this.pasteListener(event.clipboardData?.getData('text/plain') ?? '');
    };
    parent.addEventListener('paste', onPaste, true);
    this.disposables.add(toDisposable(() => parent.removeEventListener('paste', onPaste, true)));

    // Before open(): xterm adds its <style> elements while opening.
    this.disposables.add(mirrorInlineStyles(parent));
    this.terminal.open(parent);
    if (this.gpuAcceleration === 'on' || (this.gpuAcceleration === 'auto' && !webglIsSoftware())) this.loadWebgl();
    else this.rendererKind = 'dom';
    const observer = new ResizeObserver(() => this.scheduleFit());
    observer.observe(parent);
    this.disposables.add(toDisposable(() => observer.disconnect()));
    this.fit();
  }

  fit(): void {
    if (this.disposed || !this.terminal.element) return;
    // Hidden (display: none) or not laid out yet: no dimensions to fit to.
    if (this.fitAddon.proposeDimensions() === undefined) return;
    this.fitAddon.fit();
  }

  focus(): void {
    this.terminal.focus();
  }

  getSelection(): string {
    return this.terminal.getSelection();
  }

  findNext(term: string): boolean {
    return this.searchAddon.findNext(term);
  }

  findPrevious(term: string): boolean {
    return this.searchAddon.findPrevious(term);
  }

  clearSearch(): void {
    this.searchAddon.clearDecorations();
  }

  applySettings(settings: TerminalSettings): void {
    if (settings.scrollback !== undefined) this.terminal.options.scrollback = settings.scrollback;
    if (settings.fontFamily !== undefined) this.terminal.options.fontFamily = settings.fontFamily;
    if (settings.fontSize !== undefined) this.terminal.options.fontSize = settings.fontSize;
    if (settings.theme !== undefined) this.terminal.options.theme = settings.theme;
    if (settings.cursorBlink !== undefined) this.terminal.options.cursorBlink = settings.cursorBlink;
    if (settings.openLink !== undefined) this.openLink = settings.openLink;
    // A new font changes the cell size: the grid must be fitted again.
    this.scheduleFit();
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.fitFrame !== undefined) cancelAnimationFrame(this.fitFrame);
    this.disposables.dispose();
    this.pasteListener = undefined;
    // Disposes every loaded addon (WebGL's context included).
    this.terminal.dispose();
  }

  private loadWebgl(): void {
    try {
      const webgl = new WebglAddon();
      // A lost context (GPU reset, too many contexts) does not come back by
      // itself: drop to the DOM renderer, which xterm switches to when the
      // addon is disposed.
      webgl.onContextLoss(() => this.dropWebgl());
      this.terminal.loadAddon(webgl);
      this.webgl = webgl;
      this.rendererKind = 'webgl';
    } catch (error) {
      // No WebGL2 (software rendering, blocklisted GPU): the DOM renderer draws.
      console.warn('terminal: WebGL renderer unavailable, using the DOM renderer', error);
      this.rendererKind = 'dom';
    }
  }

  private dropWebgl(): void {
    const webgl = this.webgl;
    this.webgl = undefined;
    this.rendererKind = 'dom';
    webgl?.dispose();
  }

  /** Fits at most once per frame: a window drag fires many resize observations. */
  private scheduleFit(): void {
    if (this.disposed || this.fitFrame !== undefined) return;
    this.fitFrame = requestAnimationFrame(() => {
      this.fitFrame = undefined;
      this.fit();
    });
  }

  private activateLink(event: MouseEvent, uri: string): void {
    // A stray click on output must not open whatever a remote program printed.
    if (!(event.ctrlKey || event.metaKey)) return;
    this.openLink(uri);
  }

  private handleKey(event: KeyboardEvent): boolean {
    if (event.type !== 'keydown' || !event.ctrlKey || !event.shiftKey || event.altKey || event.metaKey) return true;
    const key = event.key.toLowerCase();
    if (key === 'c' && this.terminal.hasSelection()) {
      event.preventDefault();
      void navigator.clipboard?.writeText(this.terminal.getSelection()).catch(() => {});
      return false;
    }
    // Ctrl+Shift+V: let the browser fire its paste event (no clipboard permission needed).
    if (key === 'v') return false;
    return true;
  }
}

let softwareWebgl: boolean | undefined;

/**
 * Whether WebGL would run on a software rasterizer (SwiftShader, llvmpipe:
 * no GPU, a VM, Chromium with --disable-gpu). There the WebGL renderer is far
 * slower than the DOM one: measured during a `yes` flood in Chromium
 * --disable-gpu on 2 cores, 0.35 MiB/s and 414 ms stalls against 1.4 MiB/s
 * and 232 ms with the DOM renderer. Checked once per page.
 */
function webglIsSoftware(): boolean {
  if (softwareWebgl !== undefined) return softwareWebgl;
  try {
    const gl = document.createElement('canvas').getContext('webgl2');
    if (!gl) return (softwareWebgl = true);
    const info = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    softwareWebgl = /swiftshader|llvmpipe|softpipe|software|basic render/i.test(renderer);
  } catch {
    softwareWebgl = true;
  }
  return softwareWebgl;
}

/** Opens http(s) links only, in a new window that cannot reach back into the console. */
function openInNewWindow(uri: string): void {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return;
  window.open(url.href, '_blank', 'noopener,noreferrer');
}
