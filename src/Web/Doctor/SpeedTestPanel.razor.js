// Follows a pending path speed test (the Doctor panel's SpeedTestPanel renders this module only while its test is
// pending). The page is static, so nothing pushes the result: every 2 s the module asks the server for the link page
// again, and once the test has left pending (completed, failed or timed out) it puts the Doctor panel the server
// rendered in place of this one, so the result and the diagnosis its capacities feed show without a reload. It gives
// up after 3 minutes: the Api reads a test without an answer as timed out after 90 s. init returns the function that
// stops it (fleet.js calls it when the element leaves or is rendered anew).
const pollMs = 2000;
const giveUpMs = 3 * 60 * 1000;

export function init(element) {
  if (element.dataset.state !== "pending") return null;
  const started = Date.now();
  let stopped = false;
  let timer = null;

  const poll = async () => {
    if (stopped) return;
    try {
      const response = await fetch(location.href, { credentials: "same-origin", headers: { accept: "text/html" } });
      if (response.ok && !stopped) {
        const page = new DOMParser().parseFromString(await response.text(), "text/html");
        const fresh = page.querySelector('[data-testid="doctor"]');
        const state = fresh?.querySelector('[data-testid="speed-test"]')?.dataset.state;
        const doctor = element.closest('[data-testid="doctor"]');
        if (fresh && doctor && state && state !== "pending") {
          doctor.replaceWith(document.importNode(fresh, true));
          return;
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
