// Pages kept live by their server's own rendering (issue 19): when told that the data changed, the page fetches its
// own URL, as a page load would, and swaps in the parts the server rendered, each an element carrying `attribute`,
// matched by the attribute's value. Order, health, totals and event folding stay the server's rules alone; nothing
// here decides them. One fetch at a time: a change told during a fetch makes one more fetch after it.
// Options: onSwapped(replacedParts) after each swap; scope, where the parts are looked for (the element, or the
// document for a part outside it such as the header's alert count); keep(part), true for a part to leave as it is
// this time (one the operator is working in).
// The element the pointer is pressed on, until the press ends. A part holding it is not swapped meanwhile: the browser
// fires a click only when the press and the release land on one element, so swapping a row's link between them would
// eat the operator's click (a live table refreshes about every second in a busy fleet). The part catches up with the
// next refresh.
let pressed = null;
document.addEventListener("pointerdown", (event) => { pressed = event.target; }, true);
for (const end of ["pointerup", "pointercancel"]) {
  document.addEventListener(end, () => { pressed = null; }, true);
}

export function partsRefresher(element, attribute, { onSwapped, scope = element, keep = () => false } = {}) {
  let stopped = false;
  let fetching = false;
  let again = false;

  async function refresh() {
    if (fetching) {
      again = true;
      return;
    }

    fetching = true;
    try {
      const url = location.href;
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store" });
      // Signed out meanwhile (the login page answers) or the page moved on: leave the document alone.
      if (stopped || !response.ok || new URL(response.url).pathname !== new URL(url).pathname || location.href !== url) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      if (stopped) return;
      const before = swap(scope, fresh, attribute, keep);
      element.dataset.refreshed = String(Number(element.dataset.refreshed ?? 0) + 1);
      onSwapped?.(before);
    } catch (error) {
      console.warn("fleet: refreshing the page's live parts failed", error);
    } finally {
      fetching = false;
      if (again && !stopped) {
        again = false;
        refresh();
      }
    }
  }

  return {
    refresh,
    stop() {
      stopped = true;
    },
  };
}

// Replaces each part with the fresh document's part of the same name; returns the parts it replaced (detached).
function swap(scope, fresh, attribute, keep) {
  const replaced = [];
  for (const part of scope.querySelectorAll(`[${attribute}]`)) {
    const name = part.getAttribute(attribute);
    const replacement = fresh.querySelector(`[${attribute}="${CSS.escape(name)}"]`);
    if (replacement && !keep(part) && !(pressed instanceof Node && part.contains(pressed))) {
      part.replaceWith(document.importNode(replacement, true));
      replaced.push(part);
    }
  }

  return replaced;
}
