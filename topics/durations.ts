/** Millisecond helpers so the catalog reads in days and hours. */
export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export const hours = (n: number): number => n * HOUR_MS;
export const days = (n: number): number => n * DAY_MS;
