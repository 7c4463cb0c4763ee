// Fleet dashboard bootstrap. Pages are rendered on the server; Blazor's script (blazor.web.js) turns link clicks and
// forms marked data-enhance into fetches whose HTML is merged into this document, so a page change is no page load.
// This file keeps the dashboard's ES modules in step with the document (see docs/dashboard.md, "Scripts"):
//  - every element naming a module in data-fleet-module gets one running instance: module.init(element), whose
//    return value (a function) stops it again: closes subscriptions, timers, observers;
//  - after each enhanced page load and each streamed update ("enhancedload") the document is swept: instances whose
//    element left, or whose element the server rendered anew, are stopped; elements without one are started;
//  - "rendered anew" is told by the attribute data-fleet-running, which this file sets on start and which Blazor's DOM
//    merge removes from every element it updates from the server (the server never renders it), so an element
//    patched with a new first frame is restarted while one outside a streamed region keeps running.
// It also reports the browser's time zone so the server can render times in it (cookie fleet_tz, read by
// ViewerTimeZone), and marks <main> aria-busy while an enhanced navigation is on its way.
import { formatDateTime, formatTime, formatAgo } from "./units.js";

const timeZoneCookie = "fleet_tz";
const runningAttribute = "data-fleet-running";

/** element -> { path, stop: function | null, stopped } for every element with a started (or starting) module. */
const running = new Map();

/** path -> the imported module, so a restart after an enhanced load is synchronous (no gap between stop and start). */
const loaded = new Map();

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

function stop(element, instance) {
  running.delete(element);
  instance.stopped = true;
  try {
    instance.stop?.();
  } catch (error) {
    console.error(`fleet: module ${instance.path} failed to stop`, error);
  }
}

function run(element, instance, module) {
  if (instance.stopped) {
    return;
  }

  try {
    const stopper = module.init(element);
    instance.stop = typeof stopper === "function" ? stopper : null;
  } catch (error) {
    console.error(`fleet: module ${instance.path} failed`, error);
  }
}

function start(element) {
  const path = element.dataset.fleetModule;
  const instance = { path, stop: null, stopped: false };
  // Registered before the import resolves, so a sweep in between never starts a second instance for this element.
  running.set(element, instance);
  element.setAttribute(runningAttribute, "");
  const module = loaded.get(path);
  if (module) {
    run(element, instance, module);
    return;
  }

  import(new URL(path, document.baseURI).href).then(
    (imported) => {
      loaded.set(path, imported);
      run(element, instance, imported);
    },
    (error) => console.error(`fleet: module ${path} failed to load`, error));
}

function sweep() {
  for (const [element, instance] of [...running]) {
    if (!element.isConnected || !element.hasAttribute(runningAttribute)) {
      stop(element, instance);
    }
  }

  for (const element of document.querySelectorAll("[data-fleet-module]")) {
    if (!running.has(element)) {
      start(element);
    }
  }
}

function followEnhancedNavigation(blazor) {
  let navigating = false;
  const busy = (on) => {
    const main = document.querySelector("main");
    if (on) main?.setAttribute("aria-busy", "true");
    else main?.removeAttribute("aria-busy");
  };

  blazor.addEventListener("enhancednavigationstart", () => {
    navigating = true;
    busy(true);
  });
  blazor.addEventListener("enhancedload", () => {
    reportTimeZone();
    sweep();
    // The merged document has the server's <main>, without the mark: keep it until the navigation (with any
    // streamed parts) is complete.
    busy(navigating);
  });
  blazor.addEventListener("enhancednavigationend", () => {
    navigating = false;
    busy(false);
  });
}

reportTimeZone();
sweep();
// Without Blazor's script (blocked, or failed to load) links and forms do full page loads and each load starts over.
if (typeof globalThis.Blazor?.addEventListener === "function") {
  followEnhancedNavigation(globalThis.Blazor);
}
