/**
 * Larger-text mode (适老化, the age-friendly rules for public services): a visible switch on the applicant's and the
 * public's pages that raises the base font from 16 to 22 px. antd's sizes derive from the `fontSize` seed token, so a
 * nested ConfigProvider scales the components (headings, inputs, buttons, tables) together; control heights follow so
 * larger text never overflows its field. The choice lasts for the tab (sessionStorage), across the tracking,
 * certificate and verification pages.
 */
import { Button, ConfigProvider } from 'antd';
import { useCallback, useState, type ReactNode } from 'react';
import { useT } from '../../i18n';
import './public.css';

const STORAGE_KEY = 'onestop.largeText';
const NORMAL = { fontSize: 16, controlHeight: 36 };
const LARGE = { fontSize: 22, controlHeight: 48 };

function storedLarge(): boolean {
  try {
    return sessionStorage.getItem(STORAGE_KEY) === '1';
  } catch {
    return false;
  }
}

export function useLargeText(): [boolean, () => void] {
  const [large, setLarge] = useState(storedLarge);
  const toggle = useCallback(() => {
    setLarge((was) => {
      try {
        if (was) sessionStorage.removeItem(STORAGE_KEY);
        else sessionStorage.setItem(STORAGE_KEY, '1');
      } catch {
        /* storage off: this page only */
      }
      return !was;
    });
  }, []);
  return [large, toggle];
}

/** The page's content at the chosen size, with the switch at its top right. */
export function LargeTextScope({ children }: { children: ReactNode }) {
  const t = useT();
  const [large, toggle] = useLargeText();
  const size = large ? LARGE : NORMAL;
  return (
    <ConfigProvider theme={{ token: { fontSize: size.fontSize, controlHeight: size.controlHeight } }}>
      <div className={large ? 'public-page large-text' : 'public-page'} style={{ fontSize: size.fontSize }} data-testid="public-page" data-large-text={large}>
        <div className="large-text-bar">
          <Button aria-pressed={large} title={t('largeText.label')} onClick={toggle} data-testid="large-text-toggle">
            <span aria-hidden style={{ fontWeight: 700, marginRight: 4 }}>
              A+
            </span>
            {t(large ? 'largeText.on' : 'largeText.off')}
          </Button>
        </div>
        {children}
      </div>
    </ConfigProvider>
  );
}
