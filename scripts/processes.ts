// What the scripts ask the system about other processes, and the pid files by which one process claims a thing (the
// devnet's data directory and build, a worker's provider) against the others.
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

/** The pid in a pid file if the process that wrote it (started at `recorded`, when known) still runs; else null. */
function holderAlive(content: string, recorded: string | undefined, startTimeOf: (pid: number) => string | undefined): number | null {
  const holder = Number(content.trim());
  if (!Number.isInteger(holder) || holder <= 0) return null;
  return processStillRunning(holder, recorded === "" ? undefined : recorded, startTimeOf) ? holder : null;
}

function readOptional(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    return undefined;
  }
}

/**
 * Writes `pid` into `file` (and its start time into `<file>.start`) unless a live process holds it, taking over from
 * one that is gone; returns that live holder's pid, or null once the file is this process's.
 */
export function takePidFile(file: string, pid: number, startTimeOf: (pid: number) => string | undefined = processStartTime): number | null {
  const startFile = `${file}.start`;
  for (;;) {
    try {
      fs.writeFileSync(file, `${pid}\n`, { flag: "wx" });
      fs.writeFileSync(startFile, `${startTimeOf(pid) ?? ""}\n`);
      return null;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const holder = holderAlive(fs.readFileSync(file, "utf8"), readOptional(startFile), startTimeOf);
      if (holder !== null && holder !== pid) return holder;
      // Both: a start time left beside the next claim would make that claim's live writer look gone.
      fs.rmSync(startFile, { force: true });
      fs.rmSync(file, { force: true });
    }
  }
}

/** What gives `file` back: removes it (and its start time) while it is still `pid`'s. */
export function pidFileRelease(file: string, pid: number): () => void {
  return () => {
    try {
      if (Number(fs.readFileSync(file, "utf8").trim()) === pid) {
        fs.rmSync(`${file}.start`, { force: true });
        fs.rmSync(file, { force: true });
      }
    } catch {
      // Already gone.
    }
  };
}
