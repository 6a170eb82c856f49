import { codeLengthFloor, minCodeLength } from './code-length';

describe('codeLengthFloor', () => {
  it("is the policy's length, else the suite's, never under 6", () => {
    expect(codeLengthFloor(8, 6)).toBe(8);
    expect(codeLengthFloor(null, 7)).toBe(7);
    expect(codeLengthFloor(null, 4)).toBe(minCodeLength);
    expect(minCodeLength).toBe(6);
  });
});
