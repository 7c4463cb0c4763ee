// Follows a link's rollout live (link page and policy editor): the phase badge, the generations and the last error
// change as the agent reports Pending -> Applying -> Applied | Failed | RolledBack over /hubs/live, and the link page's
// header health badge when the Api pushes the link's health (it computes it; the page only swaps in the badge the
// server rendered for that health). init returns the function that stops following (fleet.js calls it when the
// element leaves or is rendered anew).
import { subscribeLink } from "../js/live.js";
import { formatTime } from "../js/units.js";

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
  applySteps(root, state);
  set("[data-live-desired]", state.desiredGeneration);
  set("[data-live-observed]", state.observedGeneration);
  if ("error" in state || "lastError" in state) {
    set("[data-live-error]", state.error ?? state.lastError ?? "none");
  }
}

const stepOrder = ["pending", "applying", "outcome"];

// The policy editor's rollout steps (Policies/RolloutSteps.razor): which step is reached and when, the outcome's own
// word, and while applying the countdown to the agent's confirm timeout. Only for the generation the page follows.
function applySteps(root, state) {
  const steps = root.querySelector("[data-rollout-steps]");
  if (!steps || !state.phase) return;
  const target = Number(root.dataset.targetGeneration);
  if (target && state.desiredGeneration && Number(state.desiredGeneration) !== target) return;
  const reached = state.phase === "pending" ? 0 : state.phase === "applying" ? 1 : 2;
  const at = state.time ? new Date(state.time) : new Date();
  for (const step of steps.querySelectorAll("[data-step]")) {
    const index = stepOrder.indexOf(step.dataset.step);
    const before = step.dataset.state;
    step.dataset.state = index < reached ? "done" : index === reached ? "current" : "todo";
    if (index === reached && before !== "current") {
      const time = step.querySelector("[data-step-time]");
      if (time) time.textContent = formatTime(at);
    }
  }
  const outcome = steps.querySelector('[data-step="outcome"]');
  if (outcome && reached === 2) {
    outcome.dataset.outcome = state.phase;
    const text = outcome.querySelector("[data-outcome-text]");
    if (text) text.textContent = (phases[state.phase] ?? ["", state.phase])[1];
  }
  const countdown = steps.querySelector("[data-countdown]");
  if (countdown) {
    if (reached === 1) {
      countdown.dataset.since = String(at.getTime());
    } else {
      delete countdown.dataset.since;
    }
    tickCountdown(steps);
  }
}

/** "rolled back in 27 s unless confirmed" while applying; hidden otherwise. */
function tickCountdown(steps) {
  const countdown = steps.querySelector("[data-countdown]");
  if (!countdown) return;
  const since = Number(countdown.dataset.since);
  if (!since) {
    countdown.hidden = true;
    return;
  }
  const left = Math.ceil(Number(steps.dataset.confirmTimeout) - (Date.now() - since) / 1000);
  countdown.hidden = false;
  countdown.textContent = left > 0 ? `rolled back in ${left} s unless confirmed` : "confirm overdue";
}

function applyHealth(linkId, health) {
  const badge = document.querySelector(`[data-live-health="${CSS.escape(linkId)}"]`);
  const look = document.querySelector(`template[data-health-looks]`)?.content.querySelector(`[data-look="${CSS.escape(health)}"]`);
  if (!badge || !look) return;
  badge.replaceChildren(...[...look.childNodes].map((node) => node.cloneNode(true)));
  badge.dataset.health = health;
}

export function init(element) {
  const steps = element.querySelector("[data-rollout-steps]");
  const timer = steps ? setInterval(() => tickCountdown(steps), 1000) : null;
  if (steps) tickCountdown(steps);
  const unsubscribe = subscribeLink(element.dataset.linkId, {
    snapshot: (snapshot) => applyState(element, snapshot?.state ?? snapshot?.link ?? null),
    state: (state) => applyState(element, state),
  });
  return () => {
    clearInterval(timer);
    unsubscribe();
  };
}
