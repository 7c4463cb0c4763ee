// Keeps the fleet overview live without a page load (issue 19). The Api tells the page over /hubs/live when the
// overview's data was read anew (a link's state or health changed, or every few seconds); the page then fetches its own
// URL, as a page load would, and swaps in the parts the server rendered: the totals, the count and the hosts. Order,
// health, totals and events come from the server's one rule each; nothing here decides them. "Updated N s ago" ticks
// from the age the server rendered (no clock shared with the server). init returns the function that stops it
// (fleet.js calls it when the element leaves or is rendered anew).
import { followFleet } from "../js/live.js";
import { formatAgo } from "../js/units.js";

const parts = "[data-overview-part]";

export function init(element) {
  let stopped = false;
  let fetching = false;
  let again = false;
  let renderedAt = performance.now();

  const age = () => element.querySelector("[data-overview-age]");
  const tick = () => {
    const label = age();
    if (!label) return;
    const ms = Number(label.dataset.overviewAge ?? 0) + (performance.now() - renderedAt);
    label.textContent = formatAgo(new Date(0), new Date(ms));
  };

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
      swap(element, fresh);
      renderedAt = performance.now();
      tick();
    } catch (error) {
      console.warn("fleet: refreshing the overview failed", error);
    } finally {
      fetching = false;
      if (again && !stopped) {
        again = false;
        refresh();
      }
    }
  }

  const timer = setInterval(tick, 1000);
  const unfollow = followFleet({ changed: refresh });
  return () => {
    stopped = true;
    clearInterval(timer);
    unfollow();
  };
}

function swap(element, fresh) {
  for (const part of element.querySelectorAll(parts)) {
    const replacement = fresh.querySelector(`${parts}[data-overview-part="${CSS.escape(part.dataset.overviewPart)}"]`);
    if (replacement) {
      part.replaceWith(document.importNode(replacement, true));
    }
  }

  element.dataset.refreshed = String(Number(element.dataset.refreshed ?? 0) + 1);
}
