// What the link's chart board (LinkChartBoard.razor.js) writes outside its canvases: the crosshair's tooltip and the
// link page's members table, which shows the same latest values on the live range.
import * as units from "./units.js";
import { setHealth } from "./health-strips.js";

/** Fills `tip` with the instant at `index` of plot `u` and every series' value there, and puts it beside the pointer. */
export function drawTip(tip, u, index, format) {
  const time = u.data[0][index];
  const rows = [];
  for (let s = 1; s < u.series.length; s++) {
    const row = document.createElement("div");
    row.className = "chart-tip__row";
    if (!u.series[s].show) row.dataset.hidden = "";
    const name = document.createElement("span");
    name.textContent = u.series[s].label;
    const value = document.createElement("span");
    value.textContent = format(u.data[s][index]);
    row.dataset.tipMember = u.series[s].label;
    row.append(name, value);
    rows.push(row);
  }
  const heading = document.createElement("div");
  heading.className = "chart-tip__time";
  heading.textContent = units.formatTime(new Date(time * 1000));
  tip.replaceChildren(heading, ...rows);
  tip.hidden = false;
  // Beside the pointer, on the side with room.
  const left = u.cursor.left + u.over.offsetLeft;
  const room = u.over.offsetLeft + u.over.clientWidth;
  tip.style.left = `${left + 12 + tip.offsetWidth > room ? Math.max(0, left - 12 - tip.offsetWidth) : left + 12}px`;
  tip.style.top = `${Math.max(0, u.cursor.top + u.over.offsetTop - tip.offsetHeight / 2)}px`;
}

/** Writes a member's latest values (`latest`: tx, rx, drops, reorder, rtt, loss, health) into its row of the members table. */
export function updateMemberRow(member, latest) {
  const row = document.querySelector(`tr[data-member="${CSS.escape(member)}"]`);
  if (!row) return;
  const cells = {
    tx: units.bitsPerSecond(latest.tx),
    rx: units.bitsPerSecond(latest.rx),
    drops: units.count(Math.round(latest.drops ?? NaN)),
    reorder: units.count(latest.reorder),
    rtt: units.milliseconds(latest.rtt),
    loss: units.percent(latest.loss),
  };
  for (const [key, text] of Object.entries(cells)) {
    const cell = row.querySelector(`[data-live="${key}"]`);
    if (cell) cell.textContent = text;
  }
  setHealth(row.querySelector('[data-live="health"]'), latest.health ?? "unknown");
}
