/** How the timeline names its groups: "June 2024", or "No date". */
export function monthLabel(key: string): string {
  if (!/^\d{4}-\d{2}$/.test(key)) return 'No date';
  const [year, month] = key.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(year, month - 1, 1)).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
}

/** A month as the scrubber marks it: "Nov", or "Nov 2023" for the first of its year. */
export function shortMonth(key: string, withYear: boolean): string {
  const [year, month] = key.split('-').map(Number) as [number, number];
  const name = new Date(Date.UTC(year, month - 1, 1)).toLocaleDateString(undefined, { month: 'short', timeZone: 'UTC' });
  return withYear ? `${name} ${year}` : name;
}
