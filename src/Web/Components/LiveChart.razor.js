// One member's charts (LiveChart.razor). The server rendered the first frame as SVG from the same points this module
// reads from data-points; here they move to canvas (uPlot) and, on the live range, follow /hubs/live: samples are
// appended as they come, redraws are coalesced to at most 4 per second, and each series keeps at most
// data-max-points points within the range's span. While the connection is down the panel says "reconnecting".
// init returns stop(), which fleet.js calls when the element leaves the document or is rendered anew by the server.
import uPlot from "../lib/uplot/uPlot.esm.js";
import { subscribeLink, onConnectionState } from "../js/live.js";
import * as units from "../js/units.js";

const redrawIntervalMs = 250;
const axisFont = "11px system-ui, sans-serif";

function axisTime(seconds, [from, to]) {
  const date = new Date(seconds * 1000);
  const text = units.formatDateTime(date);
  // Ranges longer than a day label dates, shorter ones hours and minutes, in the viewer's zone.
  return to - from > 86400 ? text.substring(5, 10) + " " + text.substring(11, 16) : text.substring(11, 16);
}

const healthText = { up: ["ok", "\u25CF", "Up"], degraded: ["warn", "\u25B2", "Degraded"], down: ["bad", "\u25A0", "Down"], unknown: ["unknown", "?", "Unknown"] };

// Which series each plot draws, and how its latest value reads.
const plots = {
  throughput: { series: ["tx", "rx"], format: units.bitsPerSecond, labels: { tx: "tx", rx: "rx" } },
  drops: { series: ["drops"], format: (v) => (Number.isFinite(v) ? units.count(Math.round(v)) + " /s" : units.unknown) },
  reorder: { series: ["reorder"], format: (v) => units.count(v) },
  rtt: { series: ["rtt"], format: units.milliseconds },
  loss: { series: ["loss"], format: units.percent },
};

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

class MemberChart {
  constructor(element) {
    this.element = element;
    this.linkId = element.dataset.linkId;
    this.member = element.dataset.member;
    this.live = element.dataset.range === "live";
    this.span = Number(element.dataset.span);
    this.maxPoints = Number(element.dataset.maxPoints) || 900;
    this.from = Number(element.dataset.from);
    this.to = Number(element.dataset.to);
    this.data = JSON.parse(element.dataset.points || "{}");
    this.counters = JSON.parse(element.dataset.counters || "[]");
    this.seriesKeys = [...new Set(this.counters.map((c) => c.series))];
    for (const key of ["t", ...this.seriesKeys]) {
      this.data[key] ??= [];
    }
    this.plots = new Map();
    this.dirty = false;
    this.timer = null;
    this.frame = null;
    this.stopped = false;
    this.stops = [];
    this.styles = getComputedStyle(document.documentElement);
  }

  start() {
    for (const figure of this.element.querySelectorAll("figure[data-metric]")) {
      this.createPlot(figure);
    }
    const resizeObserver = new ResizeObserver(() => this.resize());
    resizeObserver.observe(this.element);
    this.stops.push(() => resizeObserver.disconnect());
    if (this.live) {
      this.stops.push(onConnectionState((state) => this.showConnection(state)));
      this.stops.push(subscribeLink(this.linkId, {
        snapshot: (snapshot) => this.merge(samplesOf(snapshot)),
        samples: (samples) => this.merge(samples),
      }));
    }
  }

  stop() {
    this.stopped = true;
    for (const stop of this.stops.splice(0)) stop();
    clearTimeout(this.timer);
    cancelAnimationFrame(this.frame);
    for (const { plot } of this.plots.values()) plot.destroy();
    this.plots.clear();
  }

  createPlot(figure) {
    const metric = figure.dataset.metric;
    const spec = plots[metric];
    const area = figure.querySelector("[data-plot-area]");
    const colour = (name) => this.styles.getPropertyValue(name).trim() || "#888";
    const series = [{}];
    for (const key of spec.series) {
      series.push({
        label: spec.labels?.[key] ?? key,
        stroke: colour(key === "rx" ? "--chart-rx" : "--chart-tx"),
        width: 1.5,
        spanGaps: false,
        value: (_, v) => spec.format(v),
      });
    }
    const grid = { stroke: colour("--chart-grid"), width: 1 };
    const axisColour = colour("--muted");
    const options = {
      width: Math.max(area.clientWidth, 200),
      height: Math.max(area.clientHeight, 100),
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true, range: () => this.xRange() }, y: { range: (_, min, max) => [0, Math.max(max * 1.1, metric === "loss" ? 1 : 1e-9)] } },
      axes: [
        { stroke: axisColour, grid, ticks: grid, size: 28, font: axisFont, values: (_, splits) => splits.map((s) => axisTime(s, this.xRange())) },
        { stroke: axisColour, grid, ticks: grid, size: metric === "throughput" ? 84 : 64, font: axisFont, values: (_, splits) => splits.map((v) => spec.format(v)) },
      ],
      series,
    };
    const plot = new uPlot(options, this.columns(spec), area);
    area.querySelector("svg")?.remove();
    area.classList.add("plot__area--canvas");
    this.plots.set(metric, { plot, spec, figure, area });
  }

  xRange() {
    if (this.live) {
      const now = Date.now() / 1000;
      return [now - this.span, now];
    }
    return [this.from, this.to];
  }

  columns(spec) {
    return [this.data.t, ...spec.series.map((key) => this.data[key])];
  }

  merge(samples) {
    if (this.stopped) return;
    const mine = (samples ?? []).filter((s) => s.member === this.member).map((sample) => pointFromSample(sample, this.counters));
    if (mine.length === 0) {
      return;
    }
    mine.sort((a, b) => a.t - b.t);
    const t = this.data.t;
    for (const point of mine) {
      const last = t.length ? t[t.length - 1] : -Infinity;
      if (point.t <= last) {
        // A resend or the ring buffer after a reconnect: keep what we have, add only what is missing.
        if (t.includes(point.t)) continue;
        const index = t.findIndex((x) => x > point.t);
        for (const key of ["t", ...this.seriesKeys]) this.data[key].splice(index, 0, key === "t" ? point.t : point[key]);
        continue;
      }
      t.push(point.t);
      for (const key of this.seriesKeys) this.data[key].push(point[key]);
    }
    this.trim();
    this.schedule();
  }

  trim() {
    const horizon = Date.now() / 1000 - this.span;
    let drop = 0;
    while (drop < this.data.t.length && this.data.t[drop] < horizon) drop++;
    drop = Math.max(drop, this.data.t.length - this.maxPoints);
    if (drop > 0) {
      for (const key of ["t", ...this.seriesKeys]) this.data[key].splice(0, drop);
    }
  }

  schedule() {
    this.dirty = true;
    if (this.timer === null) {
      this.timer = setTimeout(() => {
        this.timer = null;
        if (this.dirty) {
          this.dirty = false;
          this.frame = requestAnimationFrame(() => {
            this.frame = null;
            this.redraw();
          });
        }
      }, redrawIntervalMs);
    }
  }

  redraw() {
    for (const { plot, spec } of this.plots.values()) {
      plot.setData(this.columns(spec));
    }
    this.updateValues();
    this.updateTimeline();
  }

  latest(key) {
    const values = this.data[key];
    return values.length ? values[values.length - 1] : null;
  }

  updateValues() {
    for (const { spec, figure } of this.plots.values()) {
      for (const key of spec.series) {
        const element = figure.querySelector(`[data-value-of="${key}"]`);
        if (element) {
          const label = spec.labels?.[key] ? spec.labels[key] + " " : "";
          element.lastChild.textContent = label + spec.format(this.latest(key));
        }
      }
    }
    // Only the live range's latest values are the member's now; over a past range the members table keeps the values
    // the page was rendered with (a 1 h range's last point is a minute's worst health, not the health now).
    if (!this.live) return;
    const health = this.latest("health") ?? "unknown";
    setHealth(this.element.querySelector("[data-chart-health]"), health);

    // The members table on the link page shows the same latest values.
    const row = document.querySelector(`tr[data-member="${CSS.escape(this.member)}"]`);
    if (row) {
      const cells = {
        tx: units.bitsPerSecond(this.latest("tx")),
        rx: units.bitsPerSecond(this.latest("rx")),
        drops: units.count(Math.round(this.latest("drops") ?? NaN)),
        reorder: units.count(this.latest("reorder")),
        rtt: units.milliseconds(this.latest("rtt")),
        loss: units.percent(this.latest("loss")),
      };
      for (const [key, text] of Object.entries(cells)) {
        const cell = row.querySelector(`[data-live="${key}"]`);
        if (cell) cell.textContent = text;
      }
      setHealth(row.querySelector('[data-live="health"]'), health);
    }
  }

  updateTimeline() {
    const timeline = this.element.querySelector("[data-timeline]");
    if (!timeline) return;
    const [from, to] = this.xRange();
    const span = to - from;
    const resolution = medianStep(this.data.t) || 1;
    const segments = [];
    for (let i = 0; i < this.data.t.length; i++) {
      const end = Math.min(this.data.t[i], to);
      const start = Math.max(this.data.t[i] - resolution, from);
      if (end <= from || start >= to) continue;
      const health = this.data.health[i] ?? "unknown";
      const open = segments[segments.length - 1];
      if (open && open.health === health && start - open.end <= resolution) {
        open.end = end;
      } else {
        segments.push({ health, start, end });
      }
    }
    const totals = {};
    // Scoped CSS (LiveChart.razor.css) matches Blazor's b-* attribute: give new elements the container's.
    const scope = [...timeline.attributes].find((a) => a.name.startsWith("b-"))?.name;
    timeline.replaceChildren(...segments.map((s) => {
      const span_ = document.createElement("span");
      if (scope) span_.setAttribute(scope, "");
      span_.className = `timeline__segment timeline__segment--${s.health}`;
      span_.style.left = `${((s.start - from) / span) * 100}%`;
      span_.style.width = `${Math.max(((s.end - s.start) / span) * 100, 0.2)}%`;
      span_.title = `${s.health} from ${units.formatTime(new Date(s.start * 1000))} to ${units.formatTime(new Date(s.end * 1000))}`;
      totals[s.health] = (totals[s.health] ?? 0) + (s.end - s.start);
      return span_;
    }));
    const parts = Object.entries(totals).map(([health, seconds]) => `${health} ${units.duration(seconds * 1000)}`);
    timeline.setAttribute("aria-label", parts.length ? `Health over the range: ${parts.join(", ")}` : "Health: no data in this range");
  }

  resize() {
    for (const { plot, area } of this.plots.values()) {
      plot.setSize({ width: Math.max(area.clientWidth, 200), height: Math.max(area.clientHeight, 100) });
    }
  }

  showConnection(state) {
    const label = this.element.querySelector("[data-chart-state]");
    const stale = state !== "connected";
    this.element.classList.toggle("live-chart--stale", stale);
    if (label) {
      label.textContent = state === "connected" ? "live" : state === "reconnecting" ? "reconnecting\u2026" : "connecting\u2026";
      label.dataset.state = state;
    }
  }
}

function samplesOf(snapshot) {
  if (Array.isArray(snapshot)) return snapshot;
  return snapshot?.samples ?? [];
}

function medianStep(times) {
  if (times.length < 2) return 0;
  const steps = [];
  for (let i = Math.max(1, times.length - 30); i < times.length; i++) steps.push(times[i] - times[i - 1]);
  steps.sort((a, b) => a - b);
  return steps[Math.floor(steps.length / 2)];
}

function setHealth(container, health) {
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

export function init(element) {
  const chart = new MemberChart(element);
  chart.start();
  return () => chart.stop();
}
