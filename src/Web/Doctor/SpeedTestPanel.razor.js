// Follows a path speed test while it runs (the Doctor panel's SpeedTestPanel renders this module only while its test,
// or for a pair's end the other direction, is pending). The page is static, so nothing pushes the result: every 2 s the
// module asks the server for the link page again, and when the test's state (or its other direction's) changed it puts
// the Doctor panel the server rendered in place of this one, so the result and the diagnosis its capacities feed show
// without a reload. It stops once the server no longer follows the test, or after 3 minutes (the Api reads a direction
// without an answer as timed out 90 s after its order). init returns the function that stops it (fleet.js calls it when
// the element leaves or is rendered anew).
const pollMs = 2000;
const giveUpMs = 3 * 60 * 1000;
const doctorSelector = '[data-testid="doctor"]';
const testSelector = '[data-testid="speed-test"]';

const stateOf = (section) => `${section.dataset.state}/${section.dataset.peerState ?? ""}`;

export function init(element) {
  const started = Date.now();
  let current = element;
  let stopped = false;
  let timer = null;

  const poll = async () => {
    if (stopped) return;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { accept: "text/html" } });
      if (response.ok && !stopped) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.querySelector(doctorSelector);
        const freshTest = fresh?.querySelector(testSelector);
        const doctor = current.closest(doctorSelector);
        if (fresh && freshTest && doctor && stateOf(freshTest) !== stateOf(current)) {
          const replacement = document.importNode(fresh, true);
          doctor.replaceWith(replacement);
          current = replacement.querySelector(testSelector);
          if (!freshTest.hasAttribute("data-fleet-module")) return;
        }
      }
    } catch (error) {
      console.error("speed test: reading the link page failed", error);
    }

    if (!stopped && Date.now() - started < giveUpMs) {
      timer = setTimeout(poll, pollMs);
    }
  };

  timer = setTimeout(poll, pollMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}
