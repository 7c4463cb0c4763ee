// Health drawn as strips of coloured segments (the link page's health strips, LinkChartBoard.razor.js) and health
// badges updated in place: the same rules as the server's HealthTimeline and HealthBadge.
import * as units from "./units.js";

const healthText = { up: ["ok", "\u25CF", "Up"], degraded: ["warn", "\u25B2", "Degraded"], down: ["bad", "\u25A0", "Down"], unknown: ["unknown", "?", "Unknown"] };

/** The usual gap between points: each point's health covers the interval that ends at its time. */
export function medianStep(times) {
  if (times.length < 2) return 0;
  const steps = [];
  for (let i = Math.max(1, times.length - 30); i < times.length; i++) steps.push(times[i] - times[i - 1]);
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)];
}

/** Segments of unchanged health within [from, to] (seconds); a gap longer than a step reads as no data. */
export function healthSegments(times, healths, [from, to]) {
  const resolution = medianStep(times) || 1;
  const segments = [];
  for (let i = 0; i < times.length; i++) {
    const end = Math.min(times[i], to);
    const start = Math.max(times[i] - resolution, from);
    if (end <= from || start >= to) continue;
    const health = healths[i] ?? "unknown";
    const open = segments[segments.length - 1];
    if (open && open.health === health && start - open.end <= resolution) {
      open.end = end;
    } else {
      segments.push({ health, start, end });
    }
  }
  return segments;
}

/** Redraws `timeline` (an element of the health strip) for one member's points over `range`. */
export function healthStrip(timeline, member, times, healths, range) {
  const [from, to] = range;
  const span = to - from;
  const segments = healthSegments(times, healths, range);
  const totals = {};
  // Scoped CSS matches Blazor's b-* attribute: give new elements the container's.
  const scope = [...timeline.attributes].find((a) => a.name.startsWith("b-"))?.name;
  timeline.replaceChildren(...segments.map((s) => {
    const element = document.createElement("span");
    if (scope) element.setAttribute(scope, "");
    element.className = `timeline__segment timeline__segment--${s.health}`;
    element.style.left = `${((s.start - from) / span) * 100}%`;
    element.style.width = `${Math.max(((s.end - s.start) / span) * 100, 0.2)}%`;
    element.title = `${s.health} from ${units.formatTime(new Date(s.start * 1000))} to ${units.formatTime(new Date(s.end * 1000))}`;
    totals[s.health] = (totals[s.health] ?? 0) + (s.end - s.start);
    return element;
  }));
  const parts = Object.entries(totals).map(([health, seconds]) => `${health} ${units.duration(seconds * 1000)}`);
  timeline.setAttribute("aria-label", parts.length ? `${member} health over the range: ${parts.join(", ")}` : `${member} health: no data in this range`);
}

/** Turns the badge in `container` into `health`'s (up, degraded, down, unknown). */
export function setHealth(container, health) {
  if (!container) return;
  const [modifier, icon, text] = healthText[health] ?? healthText.unknown;
  const badge = container.querySelector(".health") ?? container;
  badge.className = `health health--${modifier}`;
  badge.dataset.health = modifier;
  badge.innerHTML = "";
  const iconElement = document.createElement("span");
  iconElement.className = "health__icon";
  iconElement.setAttribute("aria-hidden", "true");
  iconElement.textContent = icon;
  badge.append(iconElement, text);
}
