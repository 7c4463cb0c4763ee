// Numbers and times for people, in the browser. The same rules as Fleet.Web.Formatting.Units and ViewerTimeZone
// (server side); UnitsScriptTests runs this file under node and compares it with the C# results.

export const unknown = "\u2013";

const ratePrefixes = ["bit/s", "kbit/s", "Mbit/s", "Gbit/s", "Tbit/s", "Pbit/s"];

function finite(value) {
  return typeof value === "number" && Number.isFinite(value);
}

function threeSignificant(value, integerExact) {
  const abs = Math.abs(value);
  if (integerExact || abs >= 100) {
    // Half away from zero, as the server's MidpointRounding.AwayFromZero.
    return (Math.sign(value) * Math.round(Math.abs(value))).toFixed(0);
  }
  return value.toFixed(abs >= 10 ? 1 : 2);
}

function trim(text) {
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
}

export function bitsPerSecond(value) {
  if (!finite(value)) {
    return unknown;
  }
  const sign = value < 0 ? "-" : "";
  value = Math.abs(value);
  let prefix = 0;
  while (value >= 999.5 && prefix < ratePrefixes.length - 1) {
    value /= 1000;
    prefix++;
  }
  return sign + threeSignificant(value, prefix === 0) + " " + ratePrefixes[prefix];
}

export function percent(value) {
  if (!finite(value)) {
    return unknown;
  }
  if (value === 0) {
    return "0 %";
  }
  const abs = Math.abs(value);
  const text = abs < 0.01 ? "<0.01" : abs < 10 ? trim(value.toFixed(2)) : abs < 100 ? trim(value.toFixed(1)) : value.toFixed(0);
  return text + " %";
}

export function milliseconds(value) {
  if (!finite(value)) {
    return unknown;
  }
  if (Math.abs(value) >= 1000) {
    return threeSignificant(value / 1000, false) + " s";
  }
  return threeSignificant(value, false) + " ms";
}

export function count(value) {
  if (!finite(value)) {
    return unknown;
  }
  value = Math.trunc(value);
  if (Math.abs(value) < 1000000) {
    return value.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }
  return threeSignificant(value / 1000000, false) + " M";
}

export function duration(ms) {
  const seconds = Math.abs(ms) / 1000;
  if (seconds < 60) return `${Math.floor(seconds)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  const hours = Math.floor(seconds / 3600);
  if (seconds < 86400) {
    const minutes = Math.floor((seconds % 3600) / 60);
    return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
  }
  const days = Math.floor(seconds / 86400);
  const restHours = Math.floor((seconds % 86400) / 3600);
  return restHours === 0 ? `${days} d` : `${days} d ${restHours} h`;
}

function pad(n) {
  return String(n).padStart(2, "0");
}

export function formatTime(date) {
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

export function formatDateTime(date) {
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatTime(date)}`;
}

export function formatAgo(date, now = new Date()) {
  const age = now - date;
  return age < 2000 ? "just now" : duration(age) + " ago";
}
