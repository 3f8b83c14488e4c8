/**
 * Masking of personal data (PIPL art. 51: minimise what each reader sees). Pure functions used wherever personal data
 * leaves the platform to someone who is neither the data subject nor the reviewer deciding on it. Masks keep enough to
 * recognise one's own record (first and last characters) and nothing that identifies a stranger.
 */

/** 370802198001010011 -> 3708**********0011 (region kept, birth date hidden). */
export function maskIdCard(id: string): string {
  if (id.length < 8) return '*'.repeat(id.length);
  return `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`;
}

/** 13800001234 -> 138****1234; landlines keep the area code and the last 2 digits. */
export function maskPhone(phone: string): string {
  if (/^1\d{10}$/.test(phone)) return `${phone.slice(0, 3)}****${phone.slice(-4)}`;
  if (phone.length <= 4) return '*'.repeat(phone.length);
  return `${phone.slice(0, 4)}${'*'.repeat(Math.max(1, phone.length - 6))}${phone.slice(-2)}`;
}

/**
 * Names: a person's name keeps its first character (张伟 -> 张*, 欧阳娜娜 -> 欧***). An organisation's name is public
 * record (registered with market regulation) and is shown whole when `organisation` is set.
 */
export function maskName(name: string, organisation = false): string {
  if (organisation) return name;
  const chars = [...name];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(chars.length - 1);
}

/** 鲁H12345 -> 鲁H***45. */
export function maskPlate(plate: string): string {
  const chars = [...plate];
  if (chars.length <= 4) return '*'.repeat(chars.length);
  return chars.slice(0, 2).join('') + '*'.repeat(chars.length - 4) + chars.slice(-2).join('');
}

/** A credit code identifies an organisation (public record); an ID number a person: mask only the latter. */
export function maskSubjectKey(key: string): string {
  return /^\d{17}[\dX]$/.test(key) ? maskIdCard(key) : key;
}
