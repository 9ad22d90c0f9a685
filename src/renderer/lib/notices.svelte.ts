/** The error the app shows in its banner: the API's own words, until dismissed or replaced. */
export class Notices {
  #error = $state<string | null>(null);

  get error(): string | null {
    return this.#error;
  }

  report(error: unknown): void {
    this.#error = messageOf(error);
  }

  dismiss(): void {
    this.#error = null;
  }
}

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return typeof error === 'string' ? error : 'Something went wrong.';
}
