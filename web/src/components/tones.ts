/**
 * Tag colours with white text that meet WCAG AA contrast (4.5:1; axe's color-contrast rule). antd's preset tag
 * colours (light background, mid-tone text) do not, so status tags use these solid ones.
 */
export const TONE = {
  red: '#a8071a',
  orange: '#ad4e00',
  green: '#237804',
  blue: '#0958d9',
  gray: '#595959',
} as const;
export type Tone = keyof typeof TONE;
