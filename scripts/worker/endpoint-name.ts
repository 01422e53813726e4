// How the worker's errors name an endpoint: the URL as configured, less its credentials. A gateway or node behind basic
// authentication is configured as `https://user:password@host/…`, and an error travels further than the CLI's
// redaction (a library caller logs `error.message`, a test prints `error.url`), so the password never enters one.
import { splitCredentials } from "../../subgraph/indexer/url-form";

/** `url` without `user:password@`; a string that is not a URL is named as it is (it carries no credentials part). */
export function endpointName(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  return parsed.username === "" && parsed.password === "" ? url : splitCredentials(parsed).url;
}
