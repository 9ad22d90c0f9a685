/**
 * The ways to install a model pack without this computer reaching its download site, shared by the app
 * (shown under a download that could not reach the site) and the CLI (after such a failure).
 */
export function offlineRoutes(packId: string): string[] {
  return [
    `From a folder: on a computer that is online, run \`glimpse models download ${packId}\` (or copy the pack's folder from another Glimpse's models folder), bring the folder here, and install it with \`glimpse models import <folder>\`.`,
    'From a mirror: a server with the same files (a copy of huggingface.co in your network) works as the download site: start Glimpse with GLIMPSE_MODEL_BASE_URL set to its address, or pass `--base-url <address>` to `glimpse models download`.',
  ];
}
