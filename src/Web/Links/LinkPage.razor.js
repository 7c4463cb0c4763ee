// Follows a link's rollout live (link page and policy editor): the phase badge, the generations and the last error
// change as the agent reports Pending -> Applying -> Applied | Failed | RolledBack over /hubs/live, and the link page's
// header health badge when the Api pushes the link's health (it computes it; the page only swaps in the badge the
// server rendered for that health). init returns the function that stops following (fleet.js calls it when the
// element leaves or is rendered anew).
import { subscribeLink } from "../js/live.js";

const phases = {
  pending: ["busy", "Pending"],
  applying: ["busy", "Applying"],
  applied: ["ok", "Applied"],
  failed: ["bad", "Failed"],
  rolled_back: ["bad", "Rolled back"],
  drifted: ["warn", "Drifted"],
};

export function applyState(root, state) {
  if (!state) return;
  if (state.phase) root.dataset.phase = state.phase;
  const phase = root.querySelector("[data-live-phase] .phase");
  if (phase && state.phase) {
    const [modifier, text] = phases[state.phase] ?? ["warn", state.phase];
    phase.className = `phase phase--${modifier}`;
    phase.dataset.phase = state.phase;
    phase.textContent = text;
  }
  const set = (selector, value) => {
    const element = root.querySelector(selector);
    if (element && value !== undefined && value !== null) element.textContent = String(value);
  };
  if (state.health && state.linkId) applyHealth(state.linkId, state.health);
  set("[data-live-desired]", state.desiredGeneration);
  set("[data-live-observed]", state.observedGeneration);
  if ("error" in state || "lastError" in state) {
    set("[data-live-error]", state.error ?? state.lastError ?? "none");
  }
}

function applyHealth(linkId, health) {
  const badge = document.querySelector(`[data-live-health="${CSS.escape(linkId)}"]`);
  const look = document.querySelector(`template[data-health-looks]`)?.content.querySelector(`[data-look="${CSS.escape(health)}"]`);
  if (!badge || !look) return;
  badge.replaceChildren(...[...look.childNodes].map((node) => node.cloneNode(true)));
  badge.dataset.health = health;
}

export function init(element) {
  return subscribeLink(element.dataset.linkId, {
    snapshot: (snapshot) => applyState(element, snapshot?.state ?? snapshot?.link ?? null),
    state: (state) => applyState(element, state),
  });
}
