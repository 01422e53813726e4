// A gateway logger that keeps every line it writes, parsed, for a test to read back.
import { createJsonLogger, type Logger } from "../../../gateway/src/logger";

export function recordingLogger(): { lines: () => Array<Record<string, unknown>>; logger: Logger } {
  const written: string[] = [];
  return {
    lines: () => written.map((line) => JSON.parse(line) as Record<string, unknown>),
    logger: createJsonLogger({ level: "debug", write: (line) => written.push(line) }),
  };
}
