// Keeps the Alerts page's "Firing now" list and the header's count current without a page load (issue 11). Alerts have
// no message of their own on /hubs/live: the page follows the overview's push (FleetChanged: after a link's state or
// health changed, and every few seconds while anyone follows, docs/dashboard.md), fetches its own URL as a page load
// would, and swaps in the parts marked data-live-part (the firing list, and the header's count outside the page's
// element). The server renders them with its one rule each (order, silenced, acknowledged); nothing here decides them.
// A part the operator is working in (a silence form open, the focus inside) is kept until a later push: a form half
// filled in is never thrown away. init returns the function that stops it.
import { followFleet } from "../js/live.js";

const parts = "[data-live-part]";

export function init(element) {
  let stopped = false;
  let fetching = false;

  async function refresh() {
    if (fetching) return;
    fetching = true;
    try {
      const url = location.href;
      const response = await fetch(url, { headers: { Accept: "text/html" }, credentials: "same-origin", cache: "no-store" });
      // Signed out meanwhile (the login page answers) or the page moved on: leave the document alone.
      if (stopped || !response.ok || new URL(response.url).pathname !== new URL(url).pathname || location.href !== url) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
      if (stopped) return;
      for (const part of document.querySelectorAll(parts)) {
        const replacement = fresh.querySelector(`${parts}[data-live-part="${CSS.escape(part.dataset.livePart)}"]`);
        if (replacement && !busy(part)) {
          part.replaceWith(document.importNode(replacement, true));
        }
      }

      element.dataset.refreshed = String(Number(element.dataset.refreshed ?? 0) + 1);
    } catch (error) {
      console.warn("fleet: refreshing the alerts failed", error);
    } finally {
      fetching = false;
    }
  }

  const unfollow = followFleet({ changed: refresh });
  return () => {
    stopped = true;
    unfollow();
  };
}

function busy(part) {
  return part.querySelector("details[open]") !== null || part.contains(document.activeElement);
}
