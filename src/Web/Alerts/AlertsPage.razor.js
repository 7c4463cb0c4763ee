// Keeps the Alerts page's "Firing now" list and the header's count current without a page load (issue 11). Alerts have
// no message of their own on /hubs/live: the page follows the overview's push (FleetChanged: after a link's state or
// health changed, and every few seconds while anyone follows, docs/dashboard.md), fetches its own URL as a page load
// would, and swaps in the parts marked data-live-part (js/live-parts.js): the firing list, and the header's count
// outside the page's element. The server renders them with its one rule each (order, silenced, acknowledged); nothing here decides them.
// A part the operator is working in (a silence form open, the focus inside) is kept until a later push: a form half
// filled in is never thrown away. init returns the function that stops it.
import { followFleet } from "../js/live.js";
import { partsRefresher } from "../js/live-parts.js";

export function init(element) {
  const parts = partsRefresher(element, "data-live-part", { scope: document, keep: busy });
  const unfollow = followFleet({ changed: parts.refresh });
  return () => {
    parts.stop();
    unfollow();
  };
}

function busy(part) {
  return part.querySelector("details[open]") !== null || part.contains(document.activeElement);
}
