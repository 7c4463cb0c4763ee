// The page's one connection to /hubs/live, shared by every live element on it. Modules subscribe to a link and get
// its recent samples (the hub's ring buffer) on every (re)subscribe, then samples and rollout states as they come; or
// to the fleet overview, and are told when its data was read anew (and after a reconnect, which may have missed that).
// The connection opens with the first subscription and closes two seconds after the last one ended (the page changed
// to one without live elements: with enhanced navigation this module outlives the page). While it is open it retries for
// ever; while it is down the header shows "Reconnecting…" and subscribers are told, and after it is back every link
// is subscribed again, so the gap is filled from the ring buffer.
import "../lib/signalr/signalr.min.js";

const signalR = globalThis.signalR;

// The hub's contract (src/Contracts/Live): server methods and client callbacks.
export const hub = {
  path: "/hubs/live",
  subscribeLink: "SubscribeLink",
  subscribeLinkView: "SubscribeLinkView",
  unsubscribeLink: "UnsubscribeLink",
  onSamples: "LinkSamples",
  onLinkState: "LinkState",
  subscribeFleet: "SubscribeFleet",
  unsubscribeFleet: "UnsubscribeFleet",
  onFleetChanged: "FleetChanged",
};

const subscriptions = new Map(); // linkId -> Set of listeners { view, snapshot(snapshot), samples(samples), state(state) }
const sentViews = new Map(); // linkId -> the view (JSON) the hub was last asked for
const fleetListeners = new Set(); // listeners { changed() } of the fleet overview
const stateListeners = new Set();
let connection = null; // the open (or opening) connection; null while nothing on the page is live
let connectionState = "idle";
let closeTimer = null;
const closeGraceMilliseconds = 2000;

const stateText = { connected: "Live", reconnecting: "Reconnecting\u2026", connecting: "Connecting\u2026" };

function renderState() {
  for (const element of document.querySelectorAll("[data-fleet-live-status]")) {
    if (connectionState === "idle") {
      element.hidden = true;
      element.textContent = "";
      delete element.dataset.state;
      continue;
    }

    element.hidden = false;
    element.dataset.state = connectionState;
    element.textContent = stateText[connectionState] ?? "Offline";
  }
}

function setState(state) {
  connectionState = state;
  renderState();
  for (const listener of stateListeners) {
    listener(state);
  }
}

function retryDelay(context) {
  // 0, 1, 2, 4, then every 5 s, never giving up: a control room's wall screen must come back by itself.
  return Math.min(5000, context.previousRetryCount === 0 ? 0 : 1000 * 2 ** (context.previousRetryCount - 1));
}

// What a link's subscription asks the hub for (src/Contracts/Live, LiveLinkView): what its listeners that draw samples
// draw. One such listener with a view (an aggregator page's charts: its own member and the sites' sum, or one site) gets
// that view, so the hub sends that instead of hundreds of sites' members; a listener without a view, or several with
// different views, get every member (null); listeners that draw no samples (the page's state badge) get the state alone.
function viewOf(linkId) {
  const drawing = [...(subscriptions.get(linkId) ?? [])].filter((listener) => listener.samples);
  if (drawing.length === 0) return { own: false, site: null, allSites: false };
  const views = new Set(drawing.map((listener) => (listener.view ? JSON.stringify(listener.view) : "every")));
  return views.size === 1 && !views.has("every") ? drawing[0].view : null;
}

async function subscribe(current, linkId) {
  const view = viewOf(linkId);
  sentViews.set(linkId, JSON.stringify(view));
  const snapshot = view === null ? await current.invoke(hub.subscribeLink, linkId) : await current.invoke(hub.subscribeLinkView, linkId, view);
  if (current !== connection) {
    return;
  }

  for (const listener of subscriptions.get(linkId) ?? []) {
    listener.snapshot?.(snapshot);
  }
}

async function subscribeFleet(current) {
  await current.invoke(hub.subscribeFleet);
  if (current !== connection) {
    return;
  }

  // Whatever changed while this connection was not following is fetched now.
  for (const listener of fleetListeners) {
    listener.changed?.();
  }
}

async function resubscribeAll(current) {
  const fleet = fleetListeners.size > 0 ? [subscribeFleet(current).catch((error) => console.warn("fleet: subscribe to the overview failed", error))] : [];
  await Promise.all([...fleet, ...[...subscriptions.keys()].map((linkId) => subscribe(current, linkId).catch((error) => console.warn("fleet: subscribe failed", linkId, error)))]);
}

async function startLoop(current) {
  for (let attempt = 0; current === connection; attempt++) {
    try {
      await current.start();
      if (current !== connection) {
        return;
      }

      setState("connected");
      await resubscribeAll(current);
      return;
    } catch (error) {
      if (current !== connection) {
        return;
      }

      setState(attempt === 0 ? "connecting" : "reconnecting");
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * 2 ** attempt)));
    }
  }
}

function ensureConnection() {
  clearTimeout(closeTimer);
  closeTimer = null;
  if (connection) {
    return;
  }

  const current = new signalR.HubConnectionBuilder()
    .withUrl(hub.path, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: retryDelay })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  current.serverTimeoutInMilliseconds = 10000;
  current.keepAliveIntervalInMilliseconds = 3000;

  current.on(hub.onSamples, (linkId, samples) => {
    for (const listener of subscriptions.get(linkId) ?? []) {
      listener.samples?.(samples);
    }
  });
  current.on(hub.onLinkState, (linkId, state) => {
    for (const listener of subscriptions.get(linkId) ?? []) {
      listener.state?.(state);
    }
  });
  current.on(hub.onFleetChanged, () => {
    for (const listener of fleetListeners) {
      listener.changed?.();
    }
  });
  current.onreconnecting(() => {
    if (current === connection) setState("reconnecting");
  });
  current.onreconnected(async () => {
    if (current !== connection) return;
    setState("connected");
    await resubscribeAll(current);
  });
  current.onclose(() => {
    // Closed on purpose (nothing follows a link any more): done. Otherwise automatic reconnect gave up (it does
    // not with our policy) or the server closed us: start over.
    if (current !== connection) return;
    setState("reconnecting");
    startLoop(current);
  });

  connection = current;
  setState("connecting");
  startLoop(current);
}

function closeIfIdle() {
  closeTimer = null;
  if (subscriptions.size > 0 || fleetListeners.size > 0 || !connection) {
    return;
  }

  const current = connection;
  connection = null;
  setState("idle");
  current.stop().catch(() => {});
}

/**
 * Follows one link. A listener may name the link's members it draws (listener.view, a LiveLinkView such as
 * { own: true, allSites: true } or { site: 3 }), so the hub sends only those. Returns a function that stops following it.
 */
export function subscribeLink(linkId, listener) {
  ensureConnection();
  let listeners = subscriptions.get(linkId);
  if (!listeners) {
    listeners = new Set();
    subscriptions.set(linkId, listeners);
  }
  listeners.add(listener);
  // An enhanced page load merged the server's header (status hidden) into the document: show the state again.
  renderState();
  const current = connection;
  if (current.state === signalR.HubConnectionState.Connected) {
    // Subscribing again is harmless and hands this listener the ring buffer too.
    subscribe(current, linkId).catch((error) => console.warn("fleet: subscribe failed", linkId, error));
  }

  let followed = true;
  return () => {
    if (!followed) return;
    followed = false;
    listeners.delete(listener);
    if (subscriptions.get(linkId) !== listeners) {
      return;
    }

    if (listeners.size > 0) {
      // The listeners left may draw less (or more) than before: ask the hub for their view.
      if (connection?.state === signalR.HubConnectionState.Connected && sentViews.get(linkId) !== JSON.stringify(viewOf(linkId))) {
        subscribe(connection, linkId).catch((error) => console.warn("fleet: subscribe failed", linkId, error));
      }
      return;
    }

    subscriptions.delete(linkId);
    sentViews.delete(linkId);
    if (connection?.state === signalR.HubConnectionState.Connected) {
      connection.invoke(hub.unsubscribeLink, linkId).catch(() => {});
    }

    closeLater();
  };
}

/** Follows the fleet overview: listener.changed() when its data was read anew. Returns a function that stops following. */
export function followFleet(listener) {
  ensureConnection();
  fleetListeners.add(listener);
  renderState();
  const current = connection;
  if (current.state === signalR.HubConnectionState.Connected && fleetListeners.size === 1) {
    subscribeFleet(current).catch((error) => console.warn("fleet: subscribe to the overview failed", error));
  }

  let followed = true;
  return () => {
    if (!followed) return;
    followed = false;
    fleetListeners.delete(listener);
    if (fleetListeners.size > 0) {
      return;
    }

    if (connection?.state === signalR.HubConnectionState.Connected) {
      connection.invoke(hub.unsubscribeFleet).catch(() => {});
    }

    closeLater();
  };
}

function closeLater() {
  if (subscriptions.size === 0 && fleetListeners.size === 0 && closeTimer === null) {
    // After a grace period: a page swept by fleet.js stops its old modules and starts the new ones, and a module
    // the document has not imported yet starts only when its import resolves; the connection stays open when the
    // new page follows something too.
    closeTimer = setTimeout(closeIfIdle, closeGraceMilliseconds);
  }
}

/** Calls listener with "idle", "connecting", "connected" or "reconnecting" now and on every change. */
export function onConnectionState(listener) {
  stateListeners.add(listener);
  listener(connectionState);
  return () => stateListeners.delete(listener);
}
