// What the pages that keep themselves live by fetching their own URL share (the overview, the Alerts page): the fetch,
// and the swap of the parts marked data-live-part="NAME" (the header's alert count, the Alerts page's firing list) for
// the same parts of the fresh copy. A part the user is working in (a <details> open, the focus inside) is kept: a form
// half filled in is never thrown away.
const selector = "[data-live-part]";

/** This page fetched again as a page load would, parsed; null when signed out meanwhile or the browser moved on. */
export async function fetchThisPage() {
  const url = location.href;
  const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store" });
  // Signed out meanwhile (the login page answers) or the page moved on: leave the document alone.
  if (!response.ok || new URL(response.url).pathname !== new URL(url).pathname || location.href !== url) return null;
  const text = await response.text();
  return location.href === url ? new DOMParser().parseFromString(text, "text/html") : null;
}

/** Swaps every live part of the document for its namesake in the fresh copy, unless the user is working in it. */
export function swapLiveParts(fresh) {
  for (const part of document.querySelectorAll(selector)) {
    const replacement = fresh.querySelector(`${selector}[data-live-part="${CSS.escape(part.dataset.livePart)}"]`);
    if (replacement && !busy(part)) {
      part.replaceWith(document.importNode(replacement, true));
    }
  }
}

function busy(part) {
  return part.querySelector("details[open]") !== null || part.contains(document.activeElement);
}
