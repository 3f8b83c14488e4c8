import {
  ageOn,
  birthDateFromIdCard,
  creditCodeWithCheck,
  idCardWithCheck,
  isValidCreditCode,
  isBirthDateAfter,
  isValidIdCardNumber,
  isValidPlate,
} from '../../domain/identifiers';

describe('unified social credit code (GB 32100-2015)', () => {
  // Charset values: 0-9 => 0-9, A10 B11 C12 D13 E14 F15 G16 H17 J18 K19 L20 M21 N22 P23 Q24 R25 T26 U27 W28 X29 Y30.
  // Weights: 1 3 9 27 19 26 16 17 20 29 25 13 8 24 10 30 28.

  it('accepts hand-computed codes', () => {
    // 91350100M000100Y4 -> 9*1 + 1*3 + 3*9 + 5*27 + 0 + 1*26 + 0 + 0 + M(21)*20 + 0 + 0 + 0 + 1*8 + 0 + 0 + Y(30)*30 + 4*28
    //   = 9 + 3 + 27 + 135 + 26 + 420 + 8 + 900 + 112 = 1640; 1640 mod 31 = 28; 31 - 28 = 3 => '3'
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    // 91370800MA3C00000 -> 9 + 3 + 27 + 7*27 + 8*26 + M(21)*20 + A(10)*29 + 3*25 + C(12)*13
    //   = 9 + 3 + 27 + 189 + 208 + 420 + 290 + 75 + 156 = 1377; 1377 mod 31 = 13; 31 - 13 = 18 => 'J'
    expect(isValidCreditCode('91370800MA3C00000J')).toBe(true);
    // all zeros: sum 0, 31 - 0 = 31 => '0'
    expect(isValidCreditCode('000000000000000000')).toBe(true);
    // 01000000000000001 -> 1*3 + 1*28 = 31; mod 31 = 0; 31 => '0'
    expect(isValidCreditCode('010000000000000010')).toBe(true);
  });

  it('creditCodeWithCheck matches the hand computations and round-trips', () => {
    expect(creditCodeWithCheck('91350100M000100Y4')).toBe('91350100M000100Y43');
    expect(creditCodeWithCheck('91370800MA3C00000')).toBe('91370800MA3C00000J');
    expect(creditCodeWithCheck('01000000000000001')).toBe('010000000000000010');
    for (const body of ['91370811MA3MXXXX1', '12100000400000000', 'Y1370800ABCDEFGHJ', '5137080050000000K']) {
      expect(isValidCreditCode(creditCodeWithCheck(body))).toBe(true);
    }
  });

  it('rejects a wrong check character, bad charset, bad length', () => {
    expect(isValidCreditCode('91350100M000100Y44')).toBe(false);
    expect(isValidCreditCode('91370800MA3C00000K')).toBe(false);
    expect(isValidCreditCode('91350100m000100Y43')).toBe(false); // lower case is not normalised
    expect(isValidCreditCode('91350100I000100Y43')).toBe(false); // I is not in the charset
    expect(isValidCreditCode('91350100M000100Y4')).toBe(false);
    expect(isValidCreditCode('91350100M000100Y433')).toBe(false);
    expect(isValidCreditCode('')).toBe(false);
    expect(() => creditCodeWithCheck('91350100M000100Y')).toThrow(RangeError);
    expect(() => creditCodeWithCheck('91350100O000100Y4')).toThrow(RangeError); // O not in charset
  });
});

describe('resident identity card number (GB 11643-1999)', () => {
  // Weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2; sum mod 11 = 0..10 => 1 0 X 9 8 7 6 5 4 3 2.

  it('accepts hand-computed numbers', () => {
    // 11010519491231002 -> 7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2 => 'X'
    expect(isValidIdCardNumber('11010519491231002X')).toBe(true);
    // 37080219900307001 -> 21+63+0+40+0+8+2+9+54+0+0+27+0+35+0+0+2 = 261; 261 mod 11 = 8 => '4'
    expect(isValidIdCardNumber('370802199003070014')).toBe(true);
    expect(idCardWithCheck('11010519491231002')).toBe('11010519491231002X');
    expect(idCardWithCheck('37080219900307001')).toBe('370802199003070014');
  });

  it('rejects a wrong check character and malformed input', () => {
    expect(isValidIdCardNumber('110105194912310021')).toBe(false);
    expect(isValidIdCardNumber('370802199003070015')).toBe(false);
    expect(isValidIdCardNumber('11010519491231002x')).toBe(false); // lower-case x is not normalised
    expect(isValidIdCardNumber('1101051949123100X')).toBe(false);
    expect(isValidIdCardNumber('37080219900307001A')).toBe(false);
    expect(() => idCardWithCheck('3708021990030700A')).toThrow(RangeError);
  });

  it('rejects impossible or out-of-range birth dates even with a correct check digit', () => {
    for (const birth of ['19990229', '19000229', '20260431', '20261301', '20260100', '18991231', '21010101']) {
      const id = idCardWithCheck(`370802${birth}001`);
      expect(isValidIdCardNumber(id)).toBe(false);
    }
    for (const birth of ['20000229', '19000101', '21001231', '20240229']) {
      expect(isValidIdCardNumber(idCardWithCheck(`370802${birth}001`))).toBe(true);
    }
  });

  it('with a date given, refuses a birth date after it (the day itself is fine)', () => {
    const bornOn = (d: string) => idCardWithCheck(`370802${d}001`);
    expect(isValidIdCardNumber(bornOn('20261126'), '2026-11-26')).toBe(true);
    expect(isValidIdCardNumber(bornOn('20261127'), '2026-11-26')).toBe(false);
    expect(isValidIdCardNumber(bornOn('20991231'), '2026-11-26')).toBe(false);
    expect(isValidIdCardNumber(bornOn('19000101'), '2026-11-26')).toBe(true);
    expect(isValidIdCardNumber(bornOn('18991231'), '2026-11-26')).toBe(false);
    expect(isBirthDateAfter(bornOn('20270101'), '2026-12-31')).toBe(true);
    expect(isBirthDateAfter(bornOn('20261231'), '2026-12-31')).toBe(false);
  });

  it('birthDateFromIdCard and ageOn (completed years)', () => {
    expect(birthDateFromIdCard('11010519491231002X')).toBe('1949-12-31');
    expect(() => birthDateFromIdCard('110105194912310021')).toThrow(RangeError);
    expect(ageOn('11010519491231002X', '2026-12-30')).toBe(76); // day before the 77th birthday
    expect(ageOn('11010519491231002X', '2026-12-31')).toBe(77);
    expect(ageOn('370802199003070014', '2026-03-06')).toBe(35);
    expect(ageOn('370802199003070014', '2026-03-07')).toBe(36);
    expect(ageOn('370802199003070014', '1990-03-07')).toBe(0);
    const leap = idCardWithCheck('37080220000229001');
    expect(ageOn(leap, '2026-02-28')).toBe(25);
    expect(ageOn(leap, '2026-03-01')).toBe(26);
    expect(() => ageOn('370802199003070014', '1990-03-06')).toThrow(RangeError);
    expect(() => ageOn('370802199003070014', '2026-02-30')).toThrow(RangeError);
  });
});

describe('vehicle plates', () => {
  it.each([
    '鲁H12345', // ordinary
    '鲁HA1234', // ordinary with a letter in the serial
    '京AB1C23',
    '鲁HD12345', // new energy, small car, D first
    '鲁HF12345',
    '鲁HDA1234', // new energy, second of six may be a letter
    '鲁H12345D', // new energy, large vehicle, D last
    '粤B12345F',
    '鲁H1234挂', // trailer
    '鲁H1234学', // coaching car
    '琼Z0000A',
  ])('accepts %s', (plate) => {
    expect(isValidPlate(plate)).toBe(true);
  });

  it.each([
    'H12345', // no province
    '港H12345', // not a province abbreviation
    '鲁I12345', // I is not used
    '鲁HO1234', // O is not used
    '鲁H1234', // too short
    '鲁H1234567', // too long
    '鲁HA12345', // 6 characters without D/F
    '鲁H1234D5', // D/F only first or last
    '鲁HD1234A', // small NEV ends with 4 digits
    '鲁H1234A挂5',
    '鲁H12345挂', // trailers have 4 alphanumerics
    '鲁h12345', // lower case
    '鲁H·12345', // separator must be removed by the caller
    '鲁H 12345',
    '',
  ])('rejects %s', (plate) => {
    expect(isValidPlate(plate)).toBe(false);
  });
});
