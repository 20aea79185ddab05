/**
 * Canonical JSON's numbers, the bytes every cache object and output hash is taken of: arrays of plain
 * numbers (written in one call) and arrays with ±Infinity or other values (written element by element)
 * give the same text for the same numbers.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/data/canonical.js';

const numbers = [1, -0, 0, NaN, 1e21, 1e-7, 5e-324, 0.1, -2.5, 123456789.123, Number.MAX_VALUE];
const written = '1,0,0,null,1e+21,1e-7,5e-324,0.1,-2.5,123456789.123,1.7976931348623157e+308';

describe('canonicalJson numbers', () => {
  it('writes plain numbers in shortest round-trip form, NaN as null and -0 as 0, in arrays and typed arrays alike', () => {
    expect(canonicalJson(numbers)).toBe(`[${written}]`);
    expect(canonicalJson(Float64Array.from(numbers))).toBe(`[${written}]`);
    expect(canonicalJson(Int32Array.from([3, -4, 0]))).toBe('[3,-4,0]');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson(new Float64Array(0))).toBe('[]');
  });

  it('writes ±Infinity as "Inf" and "-Inf" wherever they are, and the other numbers as above', () => {
    expect(canonicalJson([...numbers, Infinity])).toBe(`[${written},"Inf"]`);
    expect(canonicalJson(Float64Array.from([-Infinity, ...numbers]))).toBe(`["-Inf",${written}]`);
    expect(canonicalJson({ b: [1, 'x', null, -0], a: Float64Array.from([NaN, Infinity]) })).toBe('{"a":[null,"Inf"],"b":[1,"x",null,0]}');
  });
});
