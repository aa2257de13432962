import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Tests that read real benchmark data find it through one setting: VLTHINK_SHARED_DATA, defaulting to
 * ../shared/data beside the project. A user's clone has no such folder; those tests skip with a visible reason.
 */
export const sharedDataDir = resolve(
  process.env.VLTHINK_SHARED_DATA ?? resolve(import.meta.dirname, '../../shared/data'),
);

export const hasSharedData = existsSync(sharedDataDir);

export const sharedDataSkipReason = `shared data not found at ${sharedDataDir} (set VLTHINK_SHARED_DATA to the folder holding mathvista/, mathverse/, mathvision/, verifier/)`;

export function sharedPath(...parts: string[]): string {
  return resolve(sharedDataDir, ...parts);
}

/**
 * Rows of each stored-output file that the benchmark reproduction tests check: every row, unless VLTHINK_REPRO_ROWS
 * (set by `npm run mutation`, where each mutant reruns them) samples the first N; the whole-file checks (score and
 * result files) then stay out.
 */
export const reproductionRows =
  Number(process.env.VLTHINK_REPRO_ROWS) > 0 ? Number(process.env.VLTHINK_REPRO_ROWS) : Number.POSITIVE_INFINITY;
