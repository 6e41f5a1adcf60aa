import type { ValueRule } from './value-rule.interface';

/**
 * US Social Security numbers written `123-45-6789` (or with spaces), with the numbers the SSA
 * never issues left alone: area 000, 666 or 900–999, group 00, serial 0000.
 */
export const ssnRule: ValueRule = {
  name: 'ssn',
  // Not inside a longer run of dashed digit groups; a number beside it (`3 078-05-1120 0`) is fine.
  pattern: /(?=\d)(?<![\w.+/:-]|\d-)(\d{3})([- ])(\d{2})\2(\d{4})(?![\w/:]|[.-]\d)/g,
  hint: (_text, facts) => facts.digits >= 9,
  accept: (match) => {
    const [area, group, serial] = [match.slice(0, 3), match.slice(4, 6), match.slice(7)];
    const areaNumber = Number(area);
    return (
      areaNumber !== 0 &&
      areaNumber !== 666 &&
      areaNumber < 900 &&
      group !== '00' &&
      serial !== '0000'
    );
  },
};
