/**
 * Follows a Ray job's log through `GET /api/jobs/{id}/logs`, which answers the whole log every time — until the log
 * passes Ray's cap (16 MiB), after which it answers only the log's last part, headed by a line saying it was
 * truncated. There is no offset parameter, so position is kept by content, not by length:
 *
 * - the follower remembers the end of what it has delivered (the anchor: up to ANCHOR_CHARS, ending at a line end);
 * - a response that still holds the anchor where the previous one ended is a plain continuation;
 * - otherwise (a truncated answer, whose start moves every poll) the anchor is searched for (or, when the answer's
 *   window starts inside it, its longest suffix still there), and delivery resumes right after it: nothing repeated,
 *   nothing skipped;
 * - if the anchor is no longer in the answer (more than the cap was written between two polls), the lines in between
 *   are gone from this API: the follower skips the truncation header and the cut first line, and delivers one marker
 *   line saying so, then the rest. (Ray keeps the full log on the driver's node,
 *   `/tmp/ray/session_latest/logs/job-driver-<submission_id>.log`.)
 *
 * Limits, stated: an anchor that occurs twice in one answer resumes after its first occurrence (with Ray's 16 MiB
 * window this needs ANCHOR_CHARS of identical output to repeat; a shorter suffix, down to MIN_ANCHOR_CHARS, is used
 * only when the window cut through the anchor, i.e. nearly the whole cap was written between two polls); only
 * complete lines are delivered until the job ends, so a line is never split between two deliveries.
 */
export const ANCHOR_CHARS = 8_192;

/** The first line of a capped answer; Ray's wording is matched loosely on purpose. */
const TRUNCATION_HEADER = /truncat/i;

export interface LogFollower {
  /** The newly delivered text of one answer (complete lines, each ending in '\n'); `final` also takes a last unterminated line. */
  next(logs: string, final?: boolean): string;
}

/** `delivered`: the tail of what an earlier follower of the same job delivered (its log file), to resume after it. */
export function createLogFollower(jobId: string, delivered = ''): LogFollower {
  let anchor = delivered.slice(-ANCHOR_CHARS);
  // Where the previous answer's delivered text ended; -1 until one answer was read.
  let consumed = -1;

  const resumeAt = (logs: string): { start: number; gap?: string } => {
    if (anchor === '') return looksTruncated(logs) ? afterHeader(logs, jobId) : { start: 0 };
    if (consumed >= anchor.length && logs.startsWith(anchor, consumed - anchor.length)) return { start: consumed };
    const at = findAnchor(logs, anchor);
    if (at >= 0) return { start: at };
    if (looksTruncated(logs)) return afterHeader(logs, jobId);
    return {
      start: 0,
      gap: `[vlthink] Ray's log of ${jobId} does not contain the last lines delivered before; delivering it from its start`,
    };
  };

  return {
    next(logs, final = false) {
      const { start, gap } = resumeAt(logs);
      let end = final ? logs.length : logs.lastIndexOf('\n') + 1;
      if (end < start) end = start;
      let text = logs.slice(start, end);
      if (final && text.length > 0 && !text.endsWith('\n')) text += '\n';
      consumed = end;
      if (text.length > 0) anchor = (anchor + text).slice(-ANCHOR_CHARS);
      return gap === undefined ? text : `${gap}\n${text}`;
    },
  };
}

/** Shortest piece of the anchor trusted to place delivery (shorter ones match too easily). */
const MIN_ANCHOR_CHARS = 64;

/**
 * Where delivery resumes: after the first occurrence of the longest suffix of the anchor that the answer holds (all
 * of it, unless the answer's window now starts inside it); -1 if it holds none of MIN_ANCHOR_CHARS or more. A suffix
 * that occurs implies every shorter one does, so the longest is found by bisection.
 */
function findAnchor(logs: string, anchor: string): number {
  const holds = (n: number) => logs.includes(anchor.slice(-n));
  if (holds(anchor.length)) return logs.indexOf(anchor) + anchor.length;
  let lo = Math.min(MIN_ANCHOR_CHARS, anchor.length);
  if (!holds(lo)) return -1;
  let hi = anchor.length; // holds(lo), !holds(hi)
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (holds(mid)) lo = mid;
    else hi = mid;
  }
  const suffix = anchor.slice(-lo);
  return logs.indexOf(suffix) + suffix.length;
}

function looksTruncated(logs: string): boolean {
  const firstLine = logs.slice(0, Math.max(0, logs.indexOf('\n')));
  return TRUNCATION_HEADER.test(firstLine);
}

/** Past the header and the line the cap cut through (its start is gone). */
function afterHeader(logs: string, jobId: string): { start: number; gap: string } {
  const header = logs.indexOf('\n') + 1;
  const cut = logs.indexOf('\n', header);
  return {
    start: cut < 0 ? header : cut + 1,
    gap:
      `[vlthink] Ray returned only the end of ${jobId}'s log (it is over Ray's size cap); earlier lines are missing ` +
      `here: the full log is on the driver's node, /tmp/ray/session_latest/logs/job-driver-${jobId}.log`,
  };
}
