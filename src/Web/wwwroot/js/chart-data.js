// The chart board's data handling (LinkChartBoard.razor.js), kept apart because it is pure: live samples to points,
// members aligned on their times for one panel, axis labels. ChartBoardTests runs these in the browser.
import uPlot from "../lib/uplot/uPlot.esm.js";
import * as units from "./units.js";

export function axisTime(seconds, [from, to], step) {
  const text = units.formatDateTime(new Date(seconds * 1000));
  // Ranges longer than a day label dates; ticks closer than a minute need seconds to tell them apart.
  if (to - from > 86400) return text.substring(5, 10) + " " + text.substring(11, 16);
  return step < 60 ? text.substring(11, 19) : text.substring(11, 16);
}

/** Axis labels with a repeat blanked: a scale's splits can round to the same text ("1 Mbit/s" twice). */
export function distinctLabels(labels) {
  return labels.map((label, i) => (i > 0 && label === labels[i - 1] ? "" : label));
}

/**
 * Converts one MemberSample from the hub into a chart point. `counters` is the server's counter catalogue as the charts
 * use it (data-counters: each counter's sample key, its series, its scale and whether it is a rate), so a counter added
 * there is drawn here without an edit: rates add up per series over the sample's interval, other values are taken as
 * they are (an absent measurement breaks the line), and the health series keeps the health's name.
 */
export function pointFromSample(sample, counters) {
  const seconds = Math.max(sample.intervalMs, 1) / 1000;
  const point = { t: Date.parse(sample.time) / 1000 };
  for (const counter of counters) {
    const value = sample[counter.name];
    if (counter.series === "health") {
      point.health = value ?? "unknown";
    } else if (counter.rate) {
      point[counter.series] = (point[counter.series] ?? 0) + ((value ?? 0) * counter.scale) / seconds;
    } else {
      point[counter.series] = value ?? (counter.measured ? null : 0);
    }
  }
  return point;
}

/**
 * The members' [t, value] columns aligned on the union of their times (uPlot.join: a member without a point at a time
 * gets undefined there, which the line spans; a null it sent breaks the line), plus the members' sum per time for the
 * total (a time where none has a value stays undefined).
 */
export function alignMembers(members, key) {
  if (members.length === 0) return { t: [], columns: [], total: [] };
  const joined = uPlot.join(members.map((m) => [m.data.t, m.data[key]]));
  const columns = joined.slice(1);
  const total = joined[0].map((_, i) => {
    let sum;
    for (const column of columns) {
      if (Number.isFinite(column[i])) sum = (sum ?? 0) + column[i];
    }
    return sum;
  });
  return { t: joined[0], columns, total };
}
