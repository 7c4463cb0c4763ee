// Follows a link's rollout live (link page and policy editor): the phase badge, the generations and the last error
// change as the agent reports Pending -> Applying -> Applied | Failed | RolledBack over /hubs/live. init returns the
// function that stops following (fleet.js calls it when the element leaves or is rendered anew).
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
  set("[data-live-desired]", state.desiredGeneration);
  set("[data-live-observed]", state.observedGeneration);
  if ("error" in state || "lastError" in state) {
    set("[data-live-error]", state.error ?? state.lastError ?? "none");
  }
}

export function init(element) {
  return subscribeLink(element.dataset.linkId, {
    snapshot: (snapshot) => applyState(element, snapshot?.state ?? snapshot?.link ?? null),
    state: (state) => applyState(element, state),
  });
}
