import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { bindSession, loadSession, logout, type Role, type Session } from './api.js';
import { ErrorView } from './components/forms.js';
import { I18n, LANGS, storedLang, storeLang, translator, useI18n, type Key, type Lang } from './i18n.js';
import { AuditPage } from './pages/audit.js';
import { CaseloadPage } from './pages/caseload.js';
import { DuePage } from './pages/due.js';
import { ErasurePage } from './pages/erasure.js';
import { ImportPage } from './pages/import.js';
import { LoginPage } from './pages/login.js';
import { PublicationPage, PublicationsPage } from './pages/publications.js';
import { ScreeningPage } from './pages/screening.js';
import { StatisticsPage } from './pages/statistics.js';
import { WorkerPage } from './pages/worker.js';
import { useRoute, type Route } from './router.js';

interface Page {
  path: string;
  nav: Key;
  roles: Role[];
}

/** The navigation, per role; a user sees the pages of all their roles. */
const PAGES: Page[] = [
  { path: '/caseload', nav: 'nav.caseload', roles: ['coach', 'org-admin'] },
  { path: '/due', nav: 'nav.due', roles: ['coach', 'org-admin'] },
  { path: '/screening', nav: 'nav.screening', roles: ['screener'] },
  { path: '/statistics', nav: 'nav.statistics', roles: ['analyst', 'org-admin'] },
  { path: '/publications', nav: 'nav.publications', roles: ['analyst'] },
  { path: '/audit', nav: 'nav.audit', roles: ['admin'] },
  { path: '/erasure', nav: 'nav.erasure', roles: ['admin'] },
  { path: '/import', nav: 'nav.import', roles: ['admin'] },
];

const allowed = (session: Session, roles: Role[]) => roles.some((role) => session.roles.includes(role));

export function App() {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const i18n = useMemo(() => ({ lang, t: translator(lang), setLang: (l: Lang) => setLangState(l) }), [lang]);
  useEffect(() => storeLang(lang), [lang]);
  useEffect(() => {
    document.title = i18n.t('app.title');
  }, [i18n]);

  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    loadSession().then(setSession, setError);
  }, []);
  // Bound while rendering, before any page's effect sends a request with it.
  bindSession(session ?? null, () => {
    setExpired(true);
    setSession(null);
  });

  return (
    <I18n.Provider value={i18n}>
      {error ? (
        <main id="main" class="page">
          <ErrorView error={error} />
        </main>
      ) : session === undefined ? (
        <main id="main" class="page" aria-busy="true">
          <p>{i18n.t('app.loading')}</p>
        </main>
      ) : session === null ? (
        <Shell session={null} onLogout={() => undefined}>
          {expired && (
            <p class="notice" role="status">
              {i18n.t('app.sessionExpired')}
            </p>
          )}
          <LoginPage />
        </Shell>
      ) : (
        <SignedIn
          session={session}
          onLogout={() => {
            history.replaceState(null, '', '/');
            setExpired(false);
            setSession(null);
          }}
        />
      )}
    </I18n.Provider>
  );
}

function SignedIn({ session, onLogout }: { session: Session; onLogout: () => void }) {
  const route = useRoute();
  const pages = PAGES.filter((page) => allowed(session, page.roles));
  useEffect(() => {
    if (route.path === '/' && pages[0]) location.replace(`#${pages[0].path}`);
  }, [route.path, pages]);
  return (
    <Shell session={session} pages={pages} route={route} onLogout={onLogout}>
      <Content session={session} route={route} />
    </Shell>
  );
}

function Content({ session, route }: { session: Session; route: Route }) {
  const { t } = useI18n();
  const [first, second] = route.segments;
  const guard = (roles: Role[], page: ComponentChildren) => (allowed(session, roles) ? page : <Message text={t('app.noAccess')} />);
  switch (first) {
    case undefined:
      return null;
    case 'caseload':
      return guard(['coach', 'org-admin'], <CaseloadPage route={route} session={session} />);
    case 'workers':
      return guard(['coach', 'screener', 'org-admin'], <WorkerPage key={second} workerId={second ?? ''} session={session} />);
    case 'due':
      return guard(['coach', 'org-admin'], <DuePage />);
    case 'screening':
      return guard(['screener'], <ScreeningPage />);
    case 'statistics':
      return guard(['analyst', 'org-admin'], <StatisticsPage route={route} session={session} />);
    case 'publications':
      return guard(['analyst'], second ? <PublicationPage key={second} id={second} /> : <PublicationsPage route={route} />);
    case 'audit':
      return guard(['admin'], <AuditPage route={route} />);
    case 'erasure':
      return guard(['admin'], <ErasurePage />);
    case 'import':
      return guard(['admin'], <ImportPage />);
    default:
      return <Message text={t('app.notFound')} />;
  }
}

function Message({ text }: { text: string }) {
  return (
    <>
      <h1 tabIndex={-1}>{text}</h1>
    </>
  );
}

function Shell({
  session,
  pages = [],
  route,
  onLogout,
  children,
}: {
  session: Session | null;
  pages?: Page[];
  route?: Route;
  onLogout: () => void;
  children: ComponentChildren;
}) {
  const { t, lang, setLang } = useI18n();
  const main = useRef<HTMLElement>(null);
  // After a move to another page (not a filter or page change on the same one), focus goes to the
  // new page's heading, or to the main region while it loads, so screen readers announce the page.
  const first = useRef(true);
  useEffect(() => {
    if (!route) return;
    if (first.current) {
      first.current = false;
      if (document.activeElement !== document.body) return;
    }
    const heading = main.current?.querySelector('h1');
    if (heading) heading.tabIndex = -1;
    (heading ?? main.current)?.focus({ preventScroll: true });
  }, [route?.path]);
  const [busy, setBusy] = useState(false);
  const doLogout = async () => {
    setBusy(true);
    try {
      await logout();
    } finally {
      setBusy(false);
      onLogout();
    }
  };
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        {t('app.skip')}
      </a>
      <header class="top">
        <p class="brand">{t('app.title')}</p>
        <div class="tools">
          <label for="lang">{t('app.language')}</label>
          <select id="lang" value={lang} onChange={(e) => setLang(e.currentTarget.value as Lang)}>
            {LANGS.map((l) => (
              <option key={l} value={l}>
                {l === 'nl' ? 'Nederlands' : 'English'}
              </option>
            ))}
          </select>
          {session && (
            <>
              <span class="who">{t('app.loggedInAs', { sub: session.sub, roles: session.roles.map((r) => t(`role.${r}`)).join(', ') })}</span>
              <button type="button" onClick={() => void doLogout()} disabled={busy}>
                {t('app.logout')}
              </button>
            </>
          )}
        </div>
      </header>
      {session && (
        <nav class="nav" aria-label={t('app.nav')}>
          <ul>
            {pages.map((page) => (
              <li key={page.path}>
                <a href={`#${page.path}`} aria-current={route?.path.startsWith(page.path) ? 'page' : undefined}>
                  {t(page.nav)}
                </a>
              </li>
            ))}
            {session.roles.includes('admin') && (
              <li>
                <a href="/admin/queues" target="_blank" rel="noopener">
                  {t('nav.queues')}
                </a>
              </li>
            )}
          </ul>
        </nav>
      )}
      <main id="main" class="page" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
