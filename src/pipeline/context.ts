import type { Logger } from '../core/index.ts';
import type { RunConfig } from './config/schema.ts';
import type { PipelineDeps } from './deps.ts';
import type { RunLedger } from './manifest.ts';
import type { Progress } from './progress.ts';

/** What every stage receives besides its own config slice and inputs. */
export interface StageContext {
  readonly runDir: string;
  readonly config: RunConfig;
  readonly deps: PipelineDeps;
  readonly ledger: RunLedger;
  readonly progress: Progress;
  readonly log: Logger;
  readonly signal?: AbortSignal;
}
