/** The published-facing names of true parameters: snake_case of the TypeScript field names (`volSd` → `vol_sd`). */
export function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
