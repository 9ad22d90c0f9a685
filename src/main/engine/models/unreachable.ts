import { PackError } from './manifest.js';

/**
 * A download site that could not be reached (this computer offline, the name not found, the site down,
 * the connection lost part-way), said as a person would say it, with the site's name. The app offers
 * the ways to install a pack without the site when a download fails with one (`offlineRoutes`).
 */
export class SiteUnreachable extends PackError {
  override name = 'SiteUnreachable';
  constructor(
    readonly host: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The name could not be looked up, or there is no network: the computer is offline, or the site's name unknown here. */
const OFFLINE = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_NONAME', 'EAI_NODATA', 'EAI_FAIL', 'ENETUNREACH', 'ENETDOWN']);
const REFUSED = new Set(['ECONNREFUSED']);
/** The connection went nowhere or broke. */
const NO_ANSWER = new Set(['ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'EHOSTUNREACH', 'EHOSTDOWN', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);

/** The first error code in an error's causes (fetch wraps the socket's error; a name with several addresses gives an AggregateError). */
function codeOf(error: unknown, depth = 0): string | undefined {
  if (!error || typeof error !== 'object' || depth > 5) return undefined;
  const { code, cause, errors } = error as { code?: unknown; cause?: unknown; errors?: unknown };
  if (typeof code === 'string') return code;
  for (const inner of [cause, ...(Array.isArray(errors) ? (errors as unknown[]) : [])]) {
    const found = codeOf(inner, depth + 1);
    if (found) return found;
  }
  return undefined;
}

function innermostMessage(error: unknown): string {
  let at = error as { message?: string; cause?: unknown } | undefined;
  while (at && typeof at === 'object' && at.cause && typeof at.cause === 'object') at = at.cause as typeof at;
  return at?.message ?? String(error);
}

/** A request to `url` that failed before any answer came: why, in words. */
export function unreachable(url: string, error: unknown): SiteUnreachable {
  const host = new URL(url).host;
  const code = codeOf(error);
  const options = { cause: error };
  if (code && OFFLINE.has(code))
    return new SiteUnreachable(host, `Glimpse could not reach ${host}: this computer seems to be offline, or ${host} cannot be found from this network.`, options);
  if (code && REFUSED.has(code))
    return new SiteUnreachable(host, `Glimpse could not reach ${host}: it refused the connection (the site is down, or a mirror is not running).`, options);
  if (code && NO_ANSWER.has(code))
    return new SiteUnreachable(
      host,
      `Glimpse could not reach ${host}: it did not answer (this computer may be offline, or a firewall or proxy stops the connection).`,
      options,
    );
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|TLS|SSL/i.test(code))
    return new SiteUnreachable(host, `Glimpse could not reach ${host} safely: its certificate was not accepted (${code}), so a proxy or firewall may be in the way.`, options);
  return new SiteUnreachable(host, `Glimpse could not reach ${host} (${code ?? innermostMessage(error)}).`, options);
}

/** A transfer from `url` that broke part-way: what arrived is kept, and the next try continues from there. */
export function connectionLost(url: string, file: string, bytes: number, error: unknown): SiteUnreachable {
  const host = new URL(url).host;
  const arrived = bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.round(bytes / 1e3)} kB`;
  return new SiteUnreachable(
    host,
    `The connection to ${host} broke part-way through ${file} (${arrived} of it arrived and are kept): this computer may have gone offline. Trying again continues from there.`,
    { cause: error },
  );
}
