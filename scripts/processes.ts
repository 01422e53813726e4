// What the scripts ask the system about other processes (the devnet's data-directory claim, the worker's leftover files).

/** Whether `pid` names a running process (one we may not signal still runs). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
