/** A worker-pool task for tests (see test-kinds.ts, `square_on_pool`). */
export function square(x: number): number {
  return x * x;
}
