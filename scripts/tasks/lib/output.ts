/**
 * Where tasks write. The CLI prints to stdout; tests swap the sink to read what a task printed without touching
 * the global console.
 */
export type OutputSink = (text: string) => void;

let sink: OutputSink = (text) => console.log(text);

export function write(text: string): void {
  sink(text);
}

/** Routes task output to `next` until the returned function is called. */
export function setOutputSink(next: OutputSink): () => void {
  const previous = sink;
  sink = next;
  return () => {
    sink = previous;
  };
}
