// Swaps the parts of the document marked data-live-part="NAME" for the same parts of a freshly fetched copy of the page
// (the header's alert count on every page that refreshes itself, the Alerts page's firing list). A part the user is
// working in (a <details> open, the focus inside) is kept: a form half filled in is never thrown away.
const selector = "[data-live-part]";

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
