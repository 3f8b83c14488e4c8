/**
 * Validation of Chinese identifiers: unified social credit codes, resident identity card numbers and vehicle plates.
 *
 * Pure and dependency-free (safe in Temporal's workflow sandbox). The validators are strict about form: they do not
 * trim, upper-case or remove separators. Callers normalise user input first (e.g. `s.trim().toUpperCase()`, and for
 * plates remove a '·' or spaces between the letter and the serial).
 */

// ---------------------------------------------------------------------------------------------------------------
// Unified social credit code (统一社会信用代码), GB 32100-2015
// ---------------------------------------------------------------------------------------------------------------

import { daysInMonth } from './civil-date';

/** The 31 characters of GB 32100-2015 (digits and upper-case letters without I, O, S, V, Z). */
const CREDIT_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

function creditCheckChar(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const value = CREDIT_CHARSET.indexOf(first17.charAt(i));
    if (value < 0) return undefined;
    sum += value * (CREDIT_WEIGHTS[i] ?? 0);
  }
  const check = 31 - (sum % 31); // 1..31; 31 maps to '0'
  return CREDIT_CHARSET.charAt(check === 31 ? 0 : check);
}

/**
 * GB 32100-2015: 18 characters from "0123456789ABCDEFGHJKLMNPQRTUWXY", the 18th being the MOD 31 check character
 * (weights 1,3,9,...,28; check = 31 - (sum mod 31), 31 => '0'). Only charset and check character are verified
 * (not the registration-authority / region / organisation-code structure of positions 1-17).
 */
export function isValidCreditCode(s: string): boolean {
  if (typeof s !== 'string' || s.length !== 18) return false;
  const check = creditCheckChar(s.slice(0, 17));
  return check !== undefined && check === s.charAt(17);
}

/** GB 32100-2015: appends the check character to 17 valid characters; throws RangeError otherwise. */
export function creditCodeWithCheck(first17: string): string {
  const check = typeof first17 === 'string' ? creditCheckChar(first17) : undefined;
  if (check === undefined) {
    throw new RangeError(`Expected 17 characters from ${CREDIT_CHARSET}, got '${String(first17)}'`);
  }
  return first17 + check;
}

// ---------------------------------------------------------------------------------------------------------------
// Resident identity card number (公民身份号码), GB 11643-1999, check digit ISO 7064 MOD 11-2
// ---------------------------------------------------------------------------------------------------------------

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK_CHARS = '10X98765432'; // index = sum mod 11

const MIN_BIRTH_YEAR = 1900;
const MAX_BIRTH_YEAR = 2100;

/** Real date with year MIN..MAX_BIRTH_YEAR, from 8 digits YYYYMMDD; undefined otherwise. */
function parseBirthDate(yyyymmdd: string): { y: number; m: number; d: number } | undefined {
  if (!/^\d{8}$/.test(yyyymmdd)) return undefined;
  const y = Number(yyyymmdd.slice(0, 4));
  const m = Number(yyyymmdd.slice(4, 6));
  const d = Number(yyyymmdd.slice(6, 8));
  if (y < MIN_BIRTH_YEAR || y > MAX_BIRTH_YEAR || m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return undefined;
  return { y, m, d };
}

function idCheckChar(first17: string): string | undefined {
  if (!/^\d{17}$/.test(first17)) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17.charAt(i)) * (ID_WEIGHTS[i] ?? 0);
  return ID_CHECK_CHARS.charAt(sum % 11);
}

/**
 * GB 11643-1999: 18 characters, 17 digits (6 region, 8 birth date YYYYMMDD, 3 sequence) and an ISO 7064 MOD 11-2
 * check character (0-9 or upper-case 'X'). The birth date must be a real date from 1900 on, and, when `today`
 * ('YYYY-MM-DD', the Shanghai civil date) is given, not after it: a number of someone not yet born is not a real
 * number, and every age rule downstream would otherwise have to cope with a negative age.
 * The region code is not checked against the list of administrative divisions.
 */
export function isValidIdCardNumber(s: string, today?: string): boolean {
  if (typeof s !== 'string' || s.length !== 18) return false;
  const check = idCheckChar(s.slice(0, 17));
  if (check === undefined || check !== s.charAt(17) || parseBirthDate(s.slice(6, 14)) === undefined) return false;
  return today === undefined || !isBirthDateAfter(s, today);
}

/** True when the ID number's birth date (positions 7-14) is after `today` ('YYYY-MM-DD'). */
export function isBirthDateAfter(idCard: string, today: string): boolean {
  return idCard.slice(6, 14) > today.replaceAll('-', '');
}

/**
 * GB 11643-1999: appends the ISO 7064 MOD 11-2 check character to 17 digits; throws RangeError if they are not
 * 17 digits (the birth date is not checked here, `isValidIdCardNumber` does).
 */
export function idCardWithCheck(first17: string): string {
  const check = typeof first17 === 'string' ? idCheckChar(first17) : undefined;
  if (check === undefined) throw new RangeError(`Expected 17 digits, got '${String(first17)}'`);
  return first17 + check;
}

/** GB 11643-1999: the birth date ('YYYY-MM-DD') of positions 7-14; throws RangeError on an invalid ID number. */
export function birthDateFromIdCard(s: string): string {
  if (!isValidIdCardNumber(s)) throw new RangeError('Not a valid GB 11643-1999 identity card number');
  return `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`;
}

/**
 * GB 11643-1999 birth date -> completed years (周岁) on `date` ('YYYY-MM-DD'). The age increases on the birthday
 * itself; someone born on 02-29 turns a year older on 03-01 in common years. Throws RangeError on an invalid ID
 * number, a malformed date, or a date before the birth date.
 */
export function ageOn(idCard: string, date: string): number {
  if (!isValidIdCardNumber(idCard)) throw new RangeError('Not a valid GB 11643-1999 identity card number');
  const birth = parseBirthDate(idCard.slice(6, 14));
  const match = typeof date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null;
  const on = match ? parseAnyDate(Number(match[1]), Number(match[2]), Number(match[3])) : undefined;
  if (!birth || !on) throw new RangeError(`Invalid date '${String(date)}': expected a real date as 'YYYY-MM-DD'`);
  const beforeBirthday = on.m < birth.m || (on.m === birth.m && on.d < birth.d);
  const age = on.y - birth.y - (beforeBirthday ? 1 : 0);
  if (age < 0) throw new RangeError(`Date ${date} is before the birth date`);
  return age;
}

function parseAnyDate(y: number, m: number, d: number): { y: number; m: number; d: number } | undefined {
  return m >= 1 && m <= 12 && d >= 1 && d <= daysInMonth(y, m) ? { y, m, d } : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Vehicle plates (机动车号牌), GA 36-2018 civil forms
// ---------------------------------------------------------------------------------------------------------------

/** Province / municipality / region abbreviations that start a civil plate. */
export const PLATE_PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';

/** Letters used on plates: A-Z without I and O (they look like 1 and 0). */
const L = 'A-HJ-NP-Z';
/** A plate alphanumeric: digit or letter without I, O. */
const AN = `[0-9${L}]`;

const PLATE_RE = new RegExp(
  `^[${PLATE_PROVINCES}][${L}]` + // province abbreviation + issuing-authority letter (发牌机关代号)
    '(?:' +
    `${AN}{5}` + // ordinary plate (blue/yellow): 5 alphanumerics, e.g. 鲁H12345, 鲁HA1234
    `|[DF]${AN}[0-9]{4}` + // new-energy small vehicle: D (pure electric) / F (other NEV) first, e.g. 鲁HD12345, 鲁HDA1234
    `|[0-9]{5}[DF]` + // new-energy large vehicle: D / F last, e.g. 鲁H12345D
    `|${AN}{4}[挂学]` + // trailer (挂) or driving-school coaching car (学): 4 alphanumerics + suffix, e.g. 鲁H1234挂
    ')$',
);

/**
 * Civil motor-vehicle plate numbers after GA 36-2018, without separators. Accepted forms:
 * - ordinary: province + letter + 5 alphanumerics (鲁H12345, 鲁HA1234);
 * - new energy, small: province + letter + D|F + alphanumeric + 4 digits (鲁HD12345, 鲁HFA1234);
 * - new energy, large: province + letter + 5 digits + D|F (鲁H12345D);
 * - trailer / coaching car: province + letter + 4 alphanumerics + 挂 / 学 (鲁H1234挂, 鲁H1234学).
 * Letters never include I or O. Not accepted: police (警), military, embassy/consulate (使/领), Hong Kong / Macao
 * (港/澳) and temporary plates.
 */
export function isValidPlate(s: string): boolean {
  return typeof s === 'string' && PLATE_RE.test(s);
}
