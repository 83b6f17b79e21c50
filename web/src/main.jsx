import { render } from 'preact';
import { useState, useEffect } from 'preact/hooks';
import './app.css';
import { api, setCsrf, onAuthLost, rememberUnit, fetchMe } from './api.js';
import { t, getLang, setLang, onLang } from './i18n.js';
import { ROLES, label } from './labels.js';
import { Login } from './pages/Login.jsx';
import { Intake } from './pages/Intake.jsx';
import { Callbacks } from './pages/Callbacks.jsx';
import { Dispatch } from './pages/Dispatch.jsx';
import { Inbox } from './pages/Inbox.jsx';
import { CasePage } from './pages/CasePage.jsx';
import { CaseSearch } from './pages/CaseSearch.jsx';
import { Supervisor } from './pages/Supervisor.jsx';
import { Assessor } from './pages/Assessor.jsx';
import { AdminUsers, AdminUnits, AdminCategories, AdminHolidays } from './pages/Admin.jsx';

const CENTRE = ['agent', 'dispatcher'];
const UNIT = ['handler', 'head'];

// The pages each role reaches from the menu; the first is its home.
export function navFor(user) {
  const r = user.role;
  const items = [];
  if (r === 'agent') items.push(['intake', '受理登记'], ['callbacks', '回访队列'], ['cases', '工单查询']);
  if (r === 'dispatcher') items.push(['dispatch', '派单台'], ['intake', '受理登记'], ['callbacks', '回访队列'], ['cases', '工单查询']);
  if (UNIT.includes(r)) items.push(['inbox', '我的工单'], ['cases', '工单查询']);
  if (r === 'head') items.push(['assess', '考核排名']);
  if (r === 'supervisor') items.push(['supervisor', '督办台'], ['cases', '工单查询'], ['assess', '考核排名']);
  if (r === 'assessor') items.push(['assess', '考核排名']);
  if (r === 'admin') items.push(['admin/users', '用户管理'], ['admin/units', '单位管理'], ['admin/categories', '诉求分类'], ['admin/holidays', '节假日'], ['assess', '考核排名']);
  return items;
}
const home = (user) => '#/' + navFor(user)[0][0];

function parseHash() {
  const h = (location.hash || '').replace(/^#\/?/, '');
  const [path, query] = h.split('?');
  return { path, parts: path.split('/').filter(Boolean), query: new URLSearchParams(query || '') };
}

function Page({ route, user }) {
  const [a, b] = route.parts;
  switch (a) {
    case 'intake': return <Intake user={user} />;
    case 'callbacks': return <Callbacks user={user} />;
    case 'dispatch': return <Dispatch user={user} />;
    case 'inbox': return <Inbox user={user} tab={b} />;
    case 'case': return <CasePage user={user} id={b} key={b} />;
    case 'cases': return <CaseSearch user={user} />;
    case 'supervisor': return <Supervisor user={user} />;
    case 'assess': return <Assessor user={user} />;
    case 'admin':
      if (b === 'units') return <AdminUnits user={user} />;
      if (b === 'categories') return <AdminCategories user={user} />;
      if (b === 'holidays') return <AdminHolidays user={user} />;
      return <AdminUsers user={user} />;
    default: return null;
  }
}

function App() {
  const [session, setSession] = useState({ loading: true, user: null, notice: null });
  const [route, setRoute] = useState(parseHash());
  const [, setLangState] = useState(getLang());

  useEffect(() => onLang(setLangState), []);
  useEffect(() => {
    const f = () => setRoute(parseHash());
    window.addEventListener('hashchange', f);
    return () => window.removeEventListener('hashchange', f);
  }, []);
  useEffect(() => {
    onAuthLost(() => { setCsrf(null); setSession({ loading: false, user: null, notice: t('登录已失效，请重新登录') }); });
    fetchMe().then(
      (me) => { setCsrf(me.csrf); const { csrf, server_time, ...user } = me; rememberUnit(user.unit); setSession({ loading: false, user }); },
      (e) => setSession({ loading: false, user: null, notice: e.status === 401 ? null : e.message }));
  }, []);

  const user = session.user;
  useEffect(() => {
    if (user && (!route.parts.length || route.parts[0] === 'login')) location.replace(home(user));
  }, [user, route.path]);
  useEffect(() => { document.title = t('接诉即办工作台'); });

  if (session.loading) return <p class="boot">{t('正在加载…')}</p>;
  const langToggle = (
    <button type="button" class="btn plain lang" onClick={() => setLang(getLang() === 'en' ? 'zh' : 'en')}>
      {getLang() === 'en' ? '中文' : 'English'}
    </button>
  );
  if (!user) {
    return <Login notice={session.notice} langToggle={langToggle}
      onLogin={async (res) => {
        setCsrf(res.csrf);
        // the server's clock for the countdowns (a failure here only leaves the computer's clock)
        await fetchMe().catch(() => null);
        rememberUnit(res.user.unit); setSession({ loading: false, user: res.user });
        // a link opened before signing in (e.g. #/case/12) is kept
        if (!route.parts.length || route.parts[0] === 'login') location.hash = home(res.user);
      }} />;
  }
  const nav = navFor(user);
  async function logout() {
    try { await api.post('/auth/logout', {}); } catch { /* the session may already be gone */ }
    setCsrf(null);
    setSession({ loading: false, user: null, notice: null });
    location.hash = '#/login';
  }
  const current = route.parts[0] === 'admin' ? route.parts.slice(0, 2).join('/') : route.parts[0];
  return (
    <div class="shell">
      <header class="top">
        <a class="brand" href={home(user)}>{t('接诉即办工作台')}</a>
        <nav class="nav">
          {nav.map(([k, l]) => <a href={'#/' + k} class={current === k ? 'active' : ''} key={k}>{t(l)}</a>)}
        </nav>
        <div class="who">
          <span class="who-name" title={user.login}>{user.name}</span>
          <span class="who-unit">{user.unit.name} · {label(ROLES, user.role)}</span>
          {langToggle}
          <button type="button" class="btn plain" onClick={logout}>{t('退出登录')}</button>
        </div>
      </header>
      <main class="main"><Page route={route} user={user} /></main>
    </div>
  );
}

render(<App />, document.getElementById('app'));
