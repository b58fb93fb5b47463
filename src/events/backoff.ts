// Exponential backoff with jitter between tries of a failing stream: 1 s, 2 s, 4 s, … up to the
// configured maximum, each drawn from [half, full] of its step so that streams failing together
// (one receiver behind several streams, several Muster processes) do not retry in lockstep.
export function backoffMs(failures: number, maxSeconds: number, random = Math.random): number {
  const step = Math.min(maxSeconds * 1000, 1000 * 2 ** Math.min(failures, 30))
  return Math.round(step / 2 + random() * (step / 2))
}
