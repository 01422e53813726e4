// What the scripts ask the system about other processes (the devnet's data-directory claim, the worker's leftover files).
import * as fs from "node:fs";

/** Whether `pid` names a running process (one we may not signal still runs). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * When the kernel started `pid`, as it counts it (field 22 of /proc/<pid>/stat: clock ticks since boot), so that a
 * pid reused by a later process can be told from the one recorded; undefined where there is no /proc (not Linux) or
 * no such process.
 */
export function processStartTime(pid: number): string | undefined {
  let stat: string;
  try {
    stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // Field 2, the command name in parentheses, may itself hold spaces and parentheses: count from the last ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const startTime = fields[22 - 3];
  return startTime !== undefined && /^[0-9]+$/.test(startTime) ? startTime : undefined;
}

/**
 * Whether the process that was `pid`, started at `startTime` (processStartTime's, when it was recorded), still runs.
 * Without a start time, or where /proc cannot tell, only the pid can be asked, and a pid reused since counts as the
 * same process.
 */
export function processStillRunning(
  pid: number,
  startTime: string | undefined,
  startTimeOf: (pid: number) => string | undefined = processStartTime,
): boolean {
  const current = startTime === undefined ? undefined : startTimeOf(pid);
  // No /proc, or a process hidden from us (hidepid): the pid is all there is to ask.
  if (current === undefined) return processAlive(pid);
  return current === startTime;
}
