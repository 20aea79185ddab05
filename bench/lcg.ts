/**
 * The 32-bit linear congruential generator of the large R fixtures (test/fixtures/models/big.R,
 * test/fixtures/mixed/big.R), which R re-creates exactly (every product stays below 2^53), so that no large
 * CSV is stored: s ← (69069 s + 1) mod 2^32, u = (s + ½)/2^32.
 */
export function lcgRows(seed: number): (row: Float64Array) => Float64Array {
  let s = seed;
  return (row) => {
    for (let j = 0; j < row.length; j++) {
      s = (69069 * s + 1) % 4294967296;
      row[j] = (s + 0.5) / 4294967296;
    }
    return row;
  };
}
