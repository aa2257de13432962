import { z } from 'zod';

/** The part of Stryker's JSON report (mutation-testing-report-schema) that run.ts and replay.ts read. */
const Position = z.object({ line: z.number().int(), column: z.number().int() });
export const Mutant = z.object({
  id: z.string(),
  mutatorName: z.string(),
  replacement: z.string().optional(),
  status: z.string(),
  /** 1-based lines and columns; `end` is exclusive. */
  location: z.object({ start: Position, end: Position }),
});
export type Mutant = z.infer<typeof Mutant>;
export type Position = z.infer<typeof Position>;
export const Report = z.object({
  files: z.record(z.string(), z.object({ source: z.string(), mutants: z.array(Mutant) })),
});
