/** The text of anything thrown: an Error's message, or the value itself. The one definition every layer uses. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
