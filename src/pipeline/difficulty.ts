/**
 * Difficulty tiers (paper §3.3): each problem's (or source's) policy error rate over k samples is z-scored and split
 * into easy / medium / hard by 1-D k-means with k = 3. The paper averages this z-score with a GPT-4o rating's; the
 * embedded run has only the error rate, so the rating term is absent (weight 0).
 *
 *   error rates [0, 0, 0.25, 0.5, 1, 1] -> z [-1.09, -1.09, -0.50, 0.10, 1.29, 1.29] (population std)
 *   -> tiers [easy, easy, easy, medium, hard, hard]
 */
import type { Tier } from '../data/types.ts';

export function zScores(values: readonly number[]): number[] {
  if (values.length === 0) return [];
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length;
  const std = Math.sqrt(variance);
  return values.map((v) => (std > 0 ? (v - mean) / std : 0));
}

/**
 * Lloyd's k-means on a line. Centroids start at evenly spaced quantiles of the sorted values (deterministic), and the
 * result's clusters are numbered by ascending centroid.
 */
export function kMeans1d(
  values: readonly number[],
  k: number,
  maxIter = 100,
): { labels: number[]; centroids: number[] } {
  if (values.length === 0) return { labels: [], centroids: [] };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.round(q * (sorted.length - 1)))] ?? 0;
  let centroids = Array.from({ length: k }, (_, i) => at(k === 1 ? 0.5 : i / (k - 1)));
  let labels = values.map(() => 0);
  for (let iter = 0; iter < maxIter; iter++) {
    const next = values.map((v) => nearest(v, centroids));
    const sums = new Array<number>(k).fill(0);
    const counts = new Array<number>(k).fill(0);
    next.forEach((label, i) => {
      sums[label] = (sums[label] ?? 0) + (values[i] ?? 0);
      counts[label] = (counts[label] ?? 0) + 1;
    });
    const moved = centroids.map((c, j) => ((counts[j] ?? 0) > 0 ? (sums[j] ?? 0) / (counts[j] ?? 1) : c));
    const stable = next.every((l, i) => l === labels[i]) && iter > 0;
    labels = next;
    centroids = moved;
    if (stable) break;
  }
  // Renumber by ascending centroid so label 0 is the lowest.
  const order = centroids.map((c, j) => ({ c, j })).sort((a, b) => a.c - b.c || a.j - b.j);
  const rank = new Array<number>(k);
  order.forEach(({ j }, r) => {
    rank[j] = r;
  });
  return { labels: labels.map((l) => rank[l] ?? l), centroids: order.map(({ c }) => c) };
}

function nearest(v: number, centroids: readonly number[]): number {
  let best = 0;
  let bestDist = Number.POSITIVE_INFINITY;
  centroids.forEach((c, j) => {
    const d = Math.abs(v - c);
    if (d < bestDist) {
      best = j;
      bestDist = d;
    }
  });
  return best;
}

const TIERS: readonly Tier[] = ['easy', 'medium', 'hard'];

/** Error rates -> tiers. Identical rates share a tier; when all are equal every problem is `medium`. */
export function assignTiers(errorRates: readonly number[]): { tiers: Tier[]; z: number[]; centroids: number[] } {
  const z = zScores(errorRates);
  if (new Set(errorRates).size <= 1) return { tiers: errorRates.map(() => 'medium'), z, centroids: [0] };
  const distinct = new Set(z).size;
  const { labels, centroids } = kMeans1d(z, Math.min(3, distinct));
  // With two distinct levels, label them medium and hard: RL learns from problems the policy gets wrong.
  const offset = centroids.length === 2 ? 1 : 0;
  return { tiers: labels.map((l) => TIERS[l + offset] ?? 'hard'), z, centroids };
}
