// The page's one connection to /hubs/live, shared by every live element on it. Modules subscribe to a link and get
// its recent samples (the hub's ring buffer) on every (re)subscribe, then samples and rollout states as they come.
// The connection retries for ever; while it is down the header shows "Reconnecting…" and subscribers are told,
// and after it is back every link is subscribed again, so the gap is filled from the ring buffer.
import "../lib/signalr/signalr.min.js";

const signalR = globalThis.signalR;

// The hub's contract (src/Contracts/Live): server methods and client callbacks.
export const hub = {
  path: "/hubs/live",
  subscribeLink: "SubscribeLink",
  unsubscribeLink: "UnsubscribeLink",
  onSamples: "LinkSamples",
  onLinkState: "LinkState",
};

const subscriptions = new Map(); // linkId -> Set of listeners { snapshot(snapshot), samples(samples), state(state) }
const stateListeners = new Set();
let connection = null;
let connectionState = "connecting";

function setState(state) {
  connectionState = state;
  for (const element of document.querySelectorAll("[data-fleet-live-status]")) {
    element.hidden = false;
    element.dataset.state = state;
    element.textContent = state === "connected" ? "Live" : state === "reconnecting" ? "Reconnecting\u2026" : state === "connecting" ? "Connecting\u2026" : "Offline";
  }
  for (const listener of stateListeners) {
    listener(state);
  }
}

function retryDelay(context) {
  // 0, 1, 2, 4, then every 5 s, never giving up: a control room's wall screen must come back by itself.
  return Math.min(5000, context.previousRetryCount === 0 ? 0 : 1000 * 2 ** (context.previousRetryCount - 1));
}

async function subscribe(linkId) {
  const snapshot = await connection.invoke(hub.subscribeLink, linkId);
  for (const listener of subscriptions.get(linkId) ?? []) {
    listener.snapshot?.(snapshot);
  }
}

async function resubscribeAll() {
  await Promise.all([...subscriptions.keys()].map((linkId) => subscribe(linkId).catch((error) => console.warn("fleet: subscribe failed", linkId, error))));
}

async function startLoop() {
  for (let attempt = 0; ; attempt++) {
    try {
      await connection.start();
      setState("connected");
      await resubscribeAll();
      return;
    } catch (error) {
      setState(attempt === 0 ? "connecting" : "reconnecting");
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * 2 ** attempt)));
    }
  }
}

function ensureConnection() {
  if (connection) {
    return;
  }

  connection = new signalR.HubConnectionBuilder()
    .withUrl(hub.path, { transport: signalR.HttpTransportType.WebSockets, skipNegotiation: true })
    .withAutomaticReconnect({ nextRetryDelayInMilliseconds: retryDelay })
    .configureLogging(signalR.LogLevel.Warning)
    .build();
  connection.serverTimeoutInMilliseconds = 10000;
  connection.keepAliveIntervalInMilliseconds = 3000;

  connection.on(hub.onSamples, (linkId, samples) => {
    for (const listener of subscriptions.get(linkId) ?? []) {
      listener.samples?.(samples);
    }
  });
  connection.on(hub.onLinkState, (linkId, state) => {
    for (const listener of subscriptions.get(linkId) ?? []) {
      listener.state?.(state);
    }
  });
  connection.onreconnecting(() => setState("reconnecting"));
  connection.onreconnected(async () => {
    setState("connected");
    await resubscribeAll();
  });
  connection.onclose(() => {
    // Automatic reconnect gave up (it does not with our policy) or the server closed us: start over.
    setState("reconnecting");
    startLoop();
  });

  setState("connecting");
  startLoop();
}

/** Follows one link. Returns a function that stops following it. */
export function subscribeLink(linkId, listener) {
  ensureConnection();
  let listeners = subscriptions.get(linkId);
  if (!listeners) {
    listeners = new Set();
    subscriptions.set(linkId, listeners);
  }
  listeners.add(listener);
  if (connection.state === signalR.HubConnectionState.Connected) {
    // Subscribing again is harmless and hands this listener the ring buffer too.
    subscribe(linkId).catch((error) => console.warn("fleet: subscribe failed", linkId, error));
  }
  return () => {
    listeners.delete(listener);
    if (listeners.size === 0) {
      subscriptions.delete(linkId);
      if (connection.state === signalR.HubConnectionState.Connected) {
        connection.invoke(hub.unsubscribeLink, linkId).catch(() => {});
      }
    }
  };
}

/** Calls listener with "connecting", "connected" or "reconnecting" now and on every change. */
export function onConnectionState(listener) {
  stateListeners.add(listener);
  listener(connectionState);
  return () => stateListeners.delete(listener);
}
