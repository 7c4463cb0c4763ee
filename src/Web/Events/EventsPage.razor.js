// The events page's live tail (issue 19): on its first page, whenever the Api tells the page over /hubs/live that the
// fleet's data was read anew, the list is swapped for the server's fresh rendering (js/live-parts.js), with the same
// filters, folding and order, and the rows that were not there before are marked so the eye finds them.
import { followFleet } from "../js/live.js";
import { partsRefresher } from "../js/live-parts.js";

const rows = "tr[data-event-id]";

export function init(element) {
  const ids = () => new Set([...element.querySelectorAll(rows)].map((row) => row.dataset.eventId));
  let known = ids();
  const parts = partsRefresher(element, "data-events-part", {
    onSwapped: () => {
      for (const row of element.querySelectorAll(rows)) {
        if (!known.has(row.dataset.eventId)) {
          row.classList.add("event--new");
        }
      }

      known = ids();
    },
  });
  const unfollow = followFleet({ changed: parts.refresh });
  return () => {
    parts.stop();
    unfollow();
  };
}
