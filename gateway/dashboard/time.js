// Every date the page shows goes through chainTime: one element, one format. The jobs table, the parameters table,
// the proposals and the pause banner printed bare strings, which neither a browser nor a screen reader could read
// as a date, and whose minute hid the second a deadline or an eta falls on.
import { h } from "./dom.js";
import { formatTime, formatTimeExact } from "./format.js";

/**
 * A chain time (unix seconds, a number or a decimal string) as a <time>: its instant in `datetime`, the minute in
 * the text (formatTime; `from` for a time from which something becomes possible), the exact second in the title.
 * Unbreakable ("when"): in the job dialog on a phone, "accept by 2026-12-21 05:32 UTC" broke at the date's hyphens.
 * No time (null) reads "—".
 */
export function chainTime(seconds, { from = false, className = "" } = {}) {
  if (seconds === null || seconds === undefined) return formatTime(seconds);
  const instant = new Date(Number(seconds) * 1000).toISOString();
  return h(
    "time",
    { class: `when ${className}`.trim(), datetime: instant, title: `${formatTimeExact(seconds)} (chain time)` },
    formatTime(seconds, { from }),
  );
}
