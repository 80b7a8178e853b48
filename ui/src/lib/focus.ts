// Focus for dialogs and popovers: focus moves in when one opens, Tab and Shift+Tab stay inside it,
// Esc closes it, and focus goes back where it was when it closes.

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"]), [contenteditable="true"]';

/** The elements Tab reaches inside `root`, in order. */
export function focusables(root: HTMLElement): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter((el) => !el.closest("[inert]") && el.getClientRects().length > 0);
}

/** Where Tab goes from `current` inside a trap of `items`: the next one, wrapping at the ends. */
export function nextInTrap<T>(items: readonly T[], current: T | null, back: boolean): T | undefined {
  if (items.length === 0) return undefined;
  const i = current === null ? -1 : items.indexOf(current);
  if (i < 0) return back ? items[items.length - 1] : items[0];
  return items[(i + (back ? -1 : 1) + items.length) % items.length];
}

/**
 * A Svelte action for a dialog or popover: `use:trap={{ onclose }}`. Focuses the element marked
 * `data-autofocus` (else the first focusable), keeps Tab inside, closes on Esc, and gives focus
 * back to what had it before (or to `returnTo()` when given) when the dialog goes.
 */
export function trap(node: HTMLElement, opts: { onclose: () => void; returnTo?: () => HTMLElement | null }) {
  let options = opts;
  const before = document.activeElement as HTMLElement | null;
  queueMicrotask(() => {
    const first = node.querySelector<HTMLElement>("[data-autofocus]") ?? focusables(node)[0] ?? node;
    if (!node.contains(document.activeElement)) first.focus();
  });
  function onKey(e: KeyboardEvent) {
    if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      options.onclose();
    } else if (e.key === "Tab") {
      const items = focusables(node);
      const next = nextInTrap(items, document.activeElement as HTMLElement | null, e.shiftKey);
      e.preventDefault();
      next?.focus();
    }
  }
  // Focus that leaves the dialog (a click on the page behind) is brought back.
  function onFocusIn(e: FocusEvent) {
    if (!node.contains(e.target as Node)) (focusables(node)[0] ?? node).focus();
  }
  node.addEventListener("keydown", onKey);
  document.addEventListener("focusin", onFocusIn);
  return {
    update(o: { onclose: () => void; returnTo?: () => HTMLElement | null }) {
      options = o;
    },
    destroy() {
      node.removeEventListener("keydown", onKey);
      document.removeEventListener("focusin", onFocusIn);
      const back = options.returnTo?.() ?? before;
      // After the dialog has gone from the page: the element to return to may be drawn anew.
      setTimeout(() => {
        const target = options.returnTo?.() ?? (back && back.isConnected ? back : null);
        target?.focus();
      }, 0);
    },
  };
}
