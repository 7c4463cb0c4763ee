// Keeps the Alerts page's "Firing now" list and the header's count current without a page load (issue 11). Alerts have
// no message of their own on /hubs/live: the page follows the fleet overview's push (FleetChanged: after a link's
// state or health changed, and every few seconds while anyone follows, docs/dashboard.md), fetches its own URL as a
// page load would, and swaps in the parts marked data-live-part. The server renders them with its one rule each (order,
// silenced, acknowledged); nothing here decides them. A part the operator is working in (a silence form open, the
// focus inside) is left as it is until a later push. init returns the function that stops it.
import { followFleet } from "../js/live.js";
import { fetchThisPage, swapLiveParts } from "../js/live-parts.js";

export function init(element) {
  let stopped = false;
  let fetching = false;

  async function refresh() {
    if (fetching) return;
    fetching = true;
    try {
      const fresh = await fetchThisPage();
      if (stopped || !fresh) return;
      swapLiveParts(fresh);
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
