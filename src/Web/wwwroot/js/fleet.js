// Fleet dashboard bootstrap. Pages are rendered on the server; this starts the ES module named by each element's
// data-fleet-module (its init(element) runs once per element) and reports the browser's time zone so the server
// can render times in it from the next page on (cookie fleet_tz, read by ViewerTimeZone).
import { formatDateTime, formatTime, formatAgo } from "./units.js";

const timeZoneCookie = "fleet_tz";

function cookie(name) {
  const entry = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
  return entry ? decodeURIComponent(entry.substring(name.length + 1)) : null;
}

function reportTimeZone() {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || cookie(timeZoneCookie) === zone) {
    return;
  }

  document.cookie = `${timeZoneCookie}=${encodeURIComponent(zone)}; path=/; max-age=31536000; samesite=lax`;
  // This page was rendered in another zone: show its times in the browser's zone now.
  for (const time of document.querySelectorAll("time[data-fleet-time]")) {
    const value = new Date(time.getAttribute("datetime"));
    const style = time.dataset.fleetTime;
    time.textContent = style === "time" ? formatTime(value) : style === "ago" ? formatAgo(value) : formatDateTime(value);
    time.title = `${formatDateTime(value)} (${zone})`;
  }

  for (const label of document.querySelectorAll("[data-fleet-time-zone]")) {
    label.textContent = zone;
  }
}

async function startModules() {
  const byModule = new Map();
  for (const element of document.querySelectorAll("[data-fleet-module]")) {
    const path = element.dataset.fleetModule;
    if (!byModule.has(path)) {
      byModule.set(path, []);
    }
    byModule.get(path).push(element);
  }

  await Promise.all([...byModule].map(async ([path, elements]) => {
    try {
      const module = await import(new URL(path, document.baseURI).href);
      for (const element of elements) {
        module.init(element);
      }
    } catch (error) {
      console.error(`fleet: module ${path} failed`, error);
    }
  }));
}

reportTimeZone();
startModules();
