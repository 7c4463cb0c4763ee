// A link's charts (LinkChartBoard.razor): one panel per metric, one line per member on the panel's shared scale, the
// link's total on top. The server rendered the first frame as SVG from the same points this module reads from
// data-points; here they move to canvases (uPlot) whose crosshairs move together (the panel under the pointer shows a
// tooltip with every member's value at that instant), a drag across any panel zooms all of them and the health strips
// to that stretch of time, and a legend button shows one member alone. On the live range the module follows
// /hubs/live: samples are appended as they come, redraws are coalesced to at most 4 per second, each member keeps at
// most data-max-points points within the range's span, and while the connection is down the board says "reconnecting".
// init returns stop(), which fleet.js calls when the element leaves the document or is rendered anew by the server.
import uPlot from "../lib/uplot/uPlot.esm.js";
import { subscribeLink, onConnectionState } from "../js/live.js";
import * as units from "../js/units.js";
import { healthStrip } from "../js/health-strips.js";
import { drawTip, updateMemberRow } from "../js/chart-dom.js";
import { alignMembers, axisTime, distinctLabels, pointFromSample } from "../js/chart-data.js";

export { alignMembers, distinctLabels, pointFromSample };

const redrawIntervalMs = 250;
const axisFont = "11px system-ui, sans-serif";
const colours = 8;
// uPlot's padding to the right of the plotting area, the same as the health strips' margin (LinkChartBoard.razor.css).
const rightPadding = 12;
// A drag narrower than this is a click, not a zoom.
const minZoomPixels = 8;

const countPerSecond = (v) => (Number.isFinite(v) ? units.count(Math.round(v)) + " /s" : units.unknown);

// How each panel's values read; total draws the link's tx and rx, the others one line per member.
const metrics = {
  total: { format: units.bitsPerSecond },
  tx: { format: units.bitsPerSecond },
  rx: { format: units.bitsPerSecond },
  drops: { format: countPerSecond },
  reorder: { format: (v) => units.count(v) },
  rtt: { format: units.milliseconds },
  loss: { format: units.percent, floor: 1 },
};

class Member {
  constructor(raw, index, seriesKeys) {
    this.name = raw.member;
    this.index = index;
    this.data = { t: raw.t ?? [] };
    for (const key of seriesKeys) this.data[key] = raw[key] ?? [];
    this.data.health = raw.health ?? [];
  }
}

class ChartBoard {
  constructor(element) {
    this.element = element;
    this.linkId = element.dataset.linkId;
    this.live = element.dataset.range === "live";
    this.span = Number(element.dataset.span);
    this.maxPoints = Number(element.dataset.maxPoints) || 900;
    this.from = Number(element.dataset.from);
    this.to = Number(element.dataset.to);
    this.activeBackup = element.dataset.activeBackup === "true";
    this.counters = JSON.parse(element.dataset.counters || "[]");
    this.seriesKeys = [...new Set(this.counters.map((c) => c.series).filter((s) => s !== "health"))];
    this.members = JSON.parse(element.dataset.points || "[]").map((raw, i) => new Member(raw, i, this.seriesKeys));
    this.plots = new Map();
    this.zoom = null;
    this.isolated = null;
    this.hovered = null;
    this.syncKey = `link-${this.linkId}-${Math.random().toString(36).slice(2)}`;
    this.timer = null;
    this.frame = null;
    this.stopped = false;
    this.stops = [];
    this.styles = getComputedStyle(document.documentElement);
  }

  start() {
    for (const figure of this.element.querySelectorAll(".chart-board__plots figure[data-metric]")) {
      if (metrics[figure.dataset.metric]) this.createPlot(figure);
    }
    for (const button of this.element.querySelectorAll("[data-legend-member]")) {
      const onClick = () => this.isolate(button.dataset.legendMember);
      button.addEventListener("click", onClick);
      this.stops.push(() => button.removeEventListener("click", onClick));
    }
    const reset = this.element.querySelector("[data-chart-reset]");
    if (reset) {
      const onReset = () => this.setZoom(null);
      reset.addEventListener("click", onReset);
      this.stops.push(() => reset.removeEventListener("click", onReset));
    }
    const resizeObserver = new ResizeObserver(() => this.resize());
    resizeObserver.observe(this.element);
    this.stops.push(() => resizeObserver.disconnect());
    this.updateStrips();
    if (this.live) {
      this.stops.push(onConnectionState((state) => this.showConnection(state)));
      this.stops.push(subscribeLink(this.linkId, {
        // What these charts draw (an aggregator's own member and its sites' sum, or one site): the hub sends only that.
        view: this.element.dataset.view ? JSON.parse(this.element.dataset.view) : undefined,
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

  colour(name) {
    return this.styles.getPropertyValue(name).trim() || "#888";
  }

  createPlot(figure) {
    const metric = figure.dataset.metric;
    const spec = metrics[metric];
    const area = figure.querySelector("[data-plot-area]");
    const series = [{}];
    if (metric === "total") {
      series.push({ label: "tx", stroke: this.colour("--chart-tx"), width: 1.5, value: (_, v) => spec.format(v) });
      series.push({ label: "rx", stroke: this.colour("--chart-rx"), width: 1.5, value: (_, v) => spec.format(v) });
    } else {
      for (const member of this.members) {
        series.push({
          label: member.name,
          stroke: this.colour(`--chart-m${member.index % colours}`),
          width: 1.5,
          show: this.isolated === null || this.isolated === member.name,
          value: (_, v) => spec.format(v),
        });
      }
    }
    const grid = { stroke: this.colour("--chart-grid"), width: 1 };
    const axisColour = this.colour("--muted");
    const axisWidth = parseFloat(this.colour("--chart-axis")) || 84;
    const tip = document.createElement("div");
    tip.className = "chart-tip";
    tip.hidden = true;
    tip.dataset.chartTip = metric;
    const options = {
      width: Math.max(area.clientWidth, 200),
      height: Math.max(area.clientHeight, 100),
      padding: [8, rightPadding, 0, 0],
      legend: { show: false },
      cursor: {
        sync: { key: this.syncKey },
        drag: { x: true, y: false, setScale: false },
        points: { size: 6 },
      },
      scales: {
        x: { time: true, range: () => this.xRange() },
        y: { range: (_, min, max) => [0, Math.max((Number.isFinite(max) ? max : 0) * 1.1, spec.floor ?? 1e-9)] },
      },
      axes: [
        {
          stroke: axisColour, grid, ticks: grid, size: 28, font: axisFont,
          values: (_, splits, _axis, _space, step) => distinctLabels(splits.map((s) => axisTime(s, this.xRange(), step))),
        },
        // The same width on every panel, so their time axes line up with each other and with the health strips.
        { stroke: axisColour, grid, ticks: grid, size: axisWidth, font: axisFont, values: (_, splits) => distinctLabels(splits.map((v) => spec.format(v))) },
      ],
      series,
      hooks: {
        setCursor: [(u) => this.showTip(metric, u)],
        setSelect: [(u) => this.zoomFromSelection(u)],
      },
    };
    const plot = new uPlot(options, this.columns(metric), area);
    area.querySelector("svg")?.remove();
    area.classList.add("plot__area--canvas");
    area.append(tip);
    const over = plot.over;
    const enter = () => { this.hovered = metric; };
    const leave = () => { if (this.hovered === metric) this.hovered = null; tip.hidden = true; };
    over.addEventListener("mouseenter", enter);
    over.addEventListener("mouseleave", leave);
    this.plots.set(metric, { plot, spec, figure, area, tip });
  }

  xRange() {
    if (this.zoom) return this.zoom;
    if (this.live) {
      const now = Date.now() / 1000;
      return [now - this.span, now];
    }
    return [this.from, this.to];
  }

  columns(metric) {
    const key = metric === "total" ? "tx" : metric;
    if (metric === "total") {
      const tx = alignMembers(this.members, "tx");
      const rx = alignMembers(this.members, "rx");
      // Both come from the same members' times, so they share one time column.
      return [tx.t, tx.total, rx.total];
    }
    const aligned = alignMembers(this.members, key);
    return [aligned.t, ...aligned.columns];
  }

  /** The tooltip of the panel under the pointer: the instant, then each member's value there (or the link's tx and rx). */
  showTip(metric, u) {
    const entry = this.plots.get(metric);
    if (!entry) return;
    const { tip, spec } = entry;
    const index = u.cursor.idx;
    if (this.hovered !== metric || index == null || u.cursor.left < 0) {
      tip.hidden = true;
      return;
    }
    drawTip(tip, u, index, spec.format);
  }

  zoomFromSelection(u) {
    const { left, width } = u.select;
    if (width < minZoomPixels) return;
    const range = [u.posToVal(left, "x"), u.posToVal(left + width, "x")];
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.setZoom(range);
  }

  /** Zooms every panel and the health strips to [from, to] seconds; null shows the whole range (and, live, follows now again). */
  setZoom(range) {
    this.zoom = range;
    const bar = this.element.querySelector("[data-chart-zoom]");
    if (bar) {
      bar.hidden = range === null;
      const label = bar.querySelector("[data-chart-zoom-range]");
      if (label && range) {
        label.textContent = `${units.formatTime(new Date(range[0] * 1000))} – ${units.formatTime(new Date(range[1] * 1000))}`;
      }
    }
    this.element.dataset.zoomed = range ? "true" : "false";
    this.redraw();
  }

  /** Shows only `member` in every panel; the same member again shows all. */
  isolate(member) {
    this.isolated = this.isolated === member ? null : member;
    for (const button of this.element.querySelectorAll("[data-legend-member]")) {
      const alone = button.dataset.legendMember === this.isolated;
      button.setAttribute("aria-pressed", alone ? "true" : "false");
      button.toggleAttribute("data-dimmed", this.isolated !== null && !alone);
    }
    for (const [metric, { plot }] of this.plots) {
      if (metric === "total") continue;
      this.members.forEach((m, i) => plot.setSeries(i + 1, { show: this.isolated === null || this.isolated === m.name }));
    }
    for (const row of this.element.querySelectorAll(".health-strip")) {
      row.toggleAttribute("data-dimmed", this.isolated !== null && row.dataset.member !== this.isolated);
    }
  }

  merge(samples) {
    if (this.stopped) return;
    let changed = false;
    for (const member of this.members) {
      const mine = (samples ?? []).filter((s) => s.member === member.name).map((sample) => pointFromSample(sample, this.counters));
      if (mine.length === 0) continue;
      changed = true;
      mine.sort((a, b) => a.t - b.t);
      const t = member.data.t;
      const keys = ["t", ...this.seriesKeys, "health"];
      for (const point of mine) {
        const last = t.length ? t[t.length - 1] : -Infinity;
        if (point.t <= last) {
          // A resend or the ring buffer after a reconnect: the same values again. Or the sites' sum of a round that came in
          // several batches, sent again with each: the newer sum replaces the point.
          const at = t.indexOf(point.t);
          if (at >= 0) {
            for (const key of keys) member.data[key][at] = point[key];
            continue;
          }
          const index = t.findIndex((x) => x > point.t);
          for (const key of keys) member.data[key].splice(index, 0, point[key]);
          continue;
        }
        for (const key of keys) member.data[key].push(point[key]);
      }
      this.trim(member);
    }
    if (changed) this.schedule();
  }

  trim(member) {
    const horizon = Date.now() / 1000 - this.span;
    const t = member.data.t;
    let drop = 0;
    while (drop < t.length && t[drop] < horizon) drop++;
    drop = Math.max(drop, t.length - this.maxPoints);
    if (drop > 0) {
      for (const key of Object.keys(member.data)) member.data[key].splice(0, drop);
    }
  }

  schedule() {
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.frame = requestAnimationFrame(() => {
        this.frame = null;
        this.redraw();
      });
    }, redrawIntervalMs);
  }

  redraw() {
    if (this.stopped) return;
    for (const [metric, { plot }] of this.plots) {
      plot.setData(this.columns(metric));
    }
    this.updateValues();
    this.updateStrips();
  }

  latest(member, key) {
    const values = member.data[key];
    return values.length ? values[values.length - 1] : null;
  }

  updateValues() {
    for (const [metric, { plot, spec, figure }] of this.plots) {
      if (metric === "total") {
        // The sums redraw() just gave the plot: its series 1 and 2 are the link's tx and rx.
        const last = (series) => {
          const column = plot.data[series];
          return column.length ? column[column.length - 1] : null;
        };
        ["tx", "rx"].forEach((key, i) => {
          const element = figure.querySelector(`[data-value-of="${key}"]`);
          if (element) element.lastChild.textContent = `${key} ${spec.format(last(i + 1))}`;
        });
        continue;
      }
      for (const member of this.members) {
        const element = figure.querySelector(`[data-member="${CSS.escape(member.name)}"][data-value-of]`);
        if (element) element.lastChild.textContent = `${member.name} ${spec.format(this.latest(member, metric))}`;
      }
    }
    // Only the live range's latest values are the members' now; over a past range the members table keeps the values
    // the page was rendered with (a 1 h range's last point is a minute's worst health, not the health now).
    if (!this.live) return;
    let carrying = null;
    let most = 0;
    for (const member of this.members) {
      const tx = this.latest(member, "tx") ?? 0;
      if (tx > most) {
        most = tx;
        carrying = member.name;
      }
      this.updateRow(member);
    }
    if (this.activeBackup) {
      for (const badge of this.element.querySelectorAll("[data-carrying]")) {
        badge.hidden = badge.closest("[data-legend-member]")?.dataset.legendMember !== carrying;
      }
    }
  }

  /** The members table on the link page shows the same latest values. */
  updateRow(member) {
    const latest = {};
    for (const key of ["tx", "rx", "drops", "reorder", "rtt", "loss", "health"]) latest[key] = this.latest(member, key);
    updateMemberRow(member.name, latest);
  }

  updateStrips() {
    const range = this.xRange();
    for (const member of this.members) {
      const row = this.element.querySelector(`.health-strip[data-member="${CSS.escape(member.name)}"]`);
      const timeline = row?.querySelector("[data-timeline]");
      if (timeline) healthStrip(timeline, member.name, member.data.t, member.data.health, range);
    }
    const from = this.element.querySelector("[data-axis-from]");
    const to = this.element.querySelector("[data-axis-to]");
    if (from && to && (this.zoom || this.live)) {
      const text = (seconds) => (this.span > 86400 ? units.formatDateTime(new Date(seconds * 1000)).substring(5, 16) : units.formatTime(new Date(seconds * 1000)));
      from.textContent = text(range[0]);
      to.textContent = this.zoom ? text(range[1]) : "now";
    }
  }

  resize() {
    for (const { plot, area } of this.plots.values()) {
      plot.setSize({ width: Math.max(area.clientWidth, 200), height: Math.max(area.clientHeight - 0, 100) });
    }
  }

  showConnection(state) {
    const label = this.element.querySelector("[data-chart-state]");
    this.element.classList.toggle("chart-board--stale", state !== "connected");
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

export function init(element) {
  const board = new ChartBoard(element);
  board.start();
  return () => board.stop();
}
