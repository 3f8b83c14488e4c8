import { textProblem } from '../../domain/text';

describe('textProblem', () => {
  it.each([
    ['plain ASCII', 'route crosses a closed bridge'],
    ['Chinese', '符合条件，同意'],
    ['an astral character as a valid surrogate pair', '𠮷野家 🚌'],
    ['tab and newline', 'line 1\n\tline 2'],
    ['CRLF line breaks from a textarea', 'line 1\r\nline 2'],
    ['DEL and C1 characters (not C0)', 'a\u007fb\u0085c'],
    ['the empty string', ''],
  ])('accepts %s', (_what, s) => {
    expect(textProblem(s)).toBeUndefined();
  });

  it.each([
    ['NUL', 'bus\u0000sold', /NUL.*position 3/],
    ['a NUL at the start', '\u0000', /NUL.*position 0/],
    ['ESC (terminal escape)', 'a\u001b[31m', /control character U\+001B/],
    ['vertical tab', 'a\u000bb', /U\+000B/],
    ['backspace', '\bx', /U\+0008/],
    ['a lone high surrogate at the end', 'ok\ud83d', /unpaired surrogate.*position 2/],
    ['a lone high surrogate followed by a letter', '\ud83dx', /unpaired surrogate/],
    ['a lone low surrogate', 'x\ude8cy', /unpaired surrogate.*position 1/],
    ['two high surrogates', '\ud83d\ud83d\ude8c', /unpaired surrogate.*position 0/],
  ])('refuses %s', (_what, s, reason) => {
    expect(textProblem(s)).toMatch(reason);
  });

  it('never echoes the text in its reason', () => {
    const secret = '张三 370802199001011234';
    expect(textProblem(`${secret}\u0000`)).not.toContain('张三');
    expect(textProblem(`${secret}\u0000`)).not.toContain('3708');
  });
});
