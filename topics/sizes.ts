/** Byte helpers so the catalog reads in KiB, MiB and GiB. */
export const KIB = 1024;
export const MIB = 1024 * KIB;
export const GIB = 1024 * MIB;
export const TIB = 1024 * GIB;

export const kib = (n: number): number => n * KIB;
export const mib = (n: number): number => n * MIB;
export const gib = (n: number): number => n * GIB;
