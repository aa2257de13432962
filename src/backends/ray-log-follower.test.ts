import { describe, expect, it } from 'vitest';
import { capped } from '../../test/ray-jobs-stand-in.ts';
import { createLogFollower } from './ray-log-follower.ts';

describe('following a Ray job log by content', () => {
  it('delivers complete lines only, the unterminated last line once the job has ended', () => {
    const f = createLogFollower('job');
    expect(f.next('a\nb')).toBe('a\n');
    expect(f.next('a\nbc\nd')).toBe('bc\n');
    expect(f.next('a\nbc\nd')).toBe('');
    expect(f.next('a\nbc\nde', true)).toBe('de\n');
  });

  it('resumes after the anchor inside a capped answer, whose start moves every poll (under a cap written between polls)', () => {
    const full = Array.from({ length: 400 }, (_, i) => `step ${i}`)
      .join('\n')
      .concat('\n');
    const f = createLogFollower('job');
    let out = f.next(full.slice(0, 1000));
    for (const end of [1500, 2400, 3100, 3333, full.length]) out += f.next(capped(full.slice(0, end), 1024));
    expect(out).toBe(full);
  });

  it('resumes after what an earlier follower wrote to the log file (a re-attach)', () => {
    const f = createLogFollower('job', 'x 1\nx 2\n');
    expect(f.next('x 1\nx 2\nx 3\n')).toBe('x 3\n');
  });

  it('says what it cannot deliver: a window past the anchor, or a log that does not hold it', () => {
    const gap = createLogFollower('job-7');
    gap.next('a 1\n');
    const later = capped(`a 1\n${'b '.repeat(300)}\nc 1\nc 2\n`, 8);
    expect(gap.next(later)).toBe(
      "[vlthink] Ray returned only the end of job-7's log (it is over Ray's size cap); earlier lines are missing here: the full log is on the driver's node, /tmp/ray/session_latest/logs/job-driver-job-7.log\nc 2\n",
    );
    const stranger = createLogFollower('job-8', 'not this job\n');
    expect(stranger.next('q 1\nq 2\n')).toBe(
      "[vlthink] Ray's log of job-8 does not contain the last lines delivered before; delivering it from its start\nq 1\nq 2\n",
    );
  });
});
