// Keeps the fleet overview live without a page load (issue 19). The Api tells the page over /hubs/live when the
// overview's data was read anew (a link's state or health changed, or every few seconds); the page then swaps in the
// parts the server rendered anew (js/live-parts.js): the totals, the count and the hosts. "Updated N s ago" ticks from
// the age the server rendered (no clock shared with the server). init returns the function that stops it (fleet.js
// calls it when the element leaves or is rendered anew).
import { followFleet } from "../js/live.js";
import { partsRefresher } from "../js/live-parts.js";
import { formatAgo } from "../js/units.js";

export function init(element) {
  let renderedAt = performance.now();

  const tick = () => {
    const label = element.querySelector("[data-overview-age]");
    if (!label) return;
    const ms = Number(label.dataset.overviewAge ?? 0) + (performance.now() - renderedAt);
    label.textContent = formatAgo(new Date(0), new Date(ms));
  };

  const parts = partsRefresher(element, "data-overview-part", {
    onSwapped: () => {
      renderedAt = performance.now();
      tick();
    },
  });
  const timer = setInterval(tick, 1000);
  const unfollow = followFleet({ changed: parts.refresh });
  return () => {
    parts.stop();
    clearInterval(timer);
    unfollow();
  };
}
