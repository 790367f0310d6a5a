import { loginOptions } from '../api.js';
import { useLoad } from '../components/load.js';
import { useT } from '../i18n.js';

export function LoginPage() {
  const t = useT();
  const options = useLoad(loginOptions, []);
  const failed = new URLSearchParams(location.search).get('login') === 'failed';
  return (
    <>
      <h1>{t('login.title')}</h1>
      {failed && (
        <p class="problem" role="alert">
          {t('login.failed')}
        </p>
      )}
      <p>{t('login.intro')}</p>
      <section aria-labelledby="login-link">
        <h2 id="login-link">{t('login.linkTitle')}</h2>
        <p>{t('login.linkHelp')}</p>
        <pre>
          <code>npm run token -- --sub &lt;gebruiker&gt; --roles coach,screener --login</code>
        </pre>
        <p>{t('login.linkOpen')}</p>
      </section>
      {options.data?.oidc && (
        <p>
          <a class="button" href="/login/oidc">
            {t('login.oidc')}
          </a>
        </p>
      )}
    </>
  );
}
