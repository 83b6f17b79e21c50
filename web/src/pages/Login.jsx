import { api } from '../api.js';
import { t } from '../i18n.js';
import { useForm, Field, GeneralError } from '../components/ui.jsx';

export function Login({ onLogin, notice, langToggle }) {
  const f = useForm({ login: '', password: '' });
  const submit = (e) => {
    e.preventDefault();
    f.submit(async (v) => onLogin(await api.post('/auth/session', { login: v.login.trim(), password: v.password }, { noAuthRedirect: true })));
  };
  return (
    <div class="login-wrap">
      <form class="card login" onSubmit={submit} noValidate>
        <div class="login-head"><h1>{t('接诉即办工作台')}</h1>{langToggle}</div>
        <p class="muted">{t('12345 市民服务热线 · 接诉即办')}</p>
        {notice && <div class="alert">{notice}</div>}
        <Field label={t('账号')} error={f.errorFor('login')} id="login-login">
          <input id="login-login" autocomplete="username" {...f.bind('login')} required />
        </Field>
        <Field label={t('密码')} error={f.errorFor('password')} id="login-password">
          <input id="login-password" type="password" autocomplete="current-password" {...f.bind('password')} required />
        </Field>
        <GeneralError form={f} />
        <button class="btn primary block" type="submit" disabled={f.busy}>{t('登录')}</button>
        <p class="hint demo-hint">{t('演示账号见 README；密码 jiesu-demo')}</p>
      </form>
      <footer class="login-foot">
        <a href="/assets/licenses.txt" target="_blank" rel="noopener" data-testid="licenses">{t('开源许可')}</a>
      </footer>
    </div>
  );
}
