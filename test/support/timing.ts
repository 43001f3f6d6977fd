/**
 * "Costs what the other costs" on a shared, noisy machine: medians of alternating samples, and up to
 * three rounds, because a burst of load elsewhere can skew one round. A real difference (a 2 ms
 * answer against a 45 ms one) fails every round; noise does not.
 */
export async function comparableCost(
  cheapSuspect: () => Promise<unknown>,
  reference: () => Promise<unknown>,
  opts: { samples?: number; rounds?: number; atLeast?: number } = {},
): Promise<{ ok: boolean; detail: string }> {
  const { samples = 7, rounds = 3, atLeast = 0.6 } = opts;
  const time = async (fn: () => Promise<unknown>) => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;
  const seen: string[] = [];
  for (let r = 0; r < rounds; r++) {
    const suspect: number[] = [];
    const ref: number[] = [];
    for (let i = 0; i < samples; i++) {
      ref.push(await time(reference));
      suspect.push(await time(cheapSuspect));
    }
    const [s, f] = [median(suspect), median(ref)];
    seen.push(`${s.toFixed(1)} ms vs ${f.toFixed(1)} ms`);
    if (s >= f * atLeast) return { ok: true, detail: seen.join('; ') };
  }
  return { ok: false, detail: seen.join('; ') };
}
