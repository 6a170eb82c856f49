import { reverseCodeOf } from './reverse-code';

describe('reverseCodeOf', () => {
  it('reads the code however it was typed', () => {
    for (const text of ['482913', ' 482913 ', '482 913', 'OK 482913', 'ok482913', 'Ok: 482-913', 'oui 482.913', 'OK\n482913']) {
      expect(reverseCodeOf(text)).toBe('482913');
    }
  });

  it('reads nothing in other texts', () => {
    for (const text of ['', 'OK', 'hello there', '48 29 13 please', '482913 482913', 'OK 12', 'STOP', '1234567890123']) {
      expect(reverseCodeOf(text)).toBeUndefined();
    }
  });
});
