// 我的工单: the unit's inbox in four tabs, nearest deadline first, each row
// with a live countdown.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useAsync, Async, Pager, Tabs } from '../components/ui.jsx';
import { CaseList } from '../components/CaseList.jsx';
import { ActionForm } from '../components/ActionForm.jsx';

const TABS = [['sign', '待签收'], ['doing', '办理中'], ['whistled', '吹哨报到'], ['overdue', '已超期']];

export function Inbox({ user, tab: tabIn }) {
  const tab = TABS.some(([k]) => k === tabIn) ? tabIn : 'sign';
  const [page, setPage] = useState(1);
  const [acting, setActing] = useState(null);
  const [flash, setFlash] = useState(null);
  const st = useAsync(() => api.get('/cases', { inbox: tab, sort: 'due', page, per_page: 20 }), [tab, page, flash]);
  const counts = useAsync(() => Promise.all(TABS.map(([k]) => api.get('/cases', { inbox: k, per_page: 1 }).then((r) => r.total))), [flash]);
  const n = counts.data || [];
  const extra = tab === 'sign'
    ? { title: t('操作'), render: (c) => <button type="button" class="btn small primary" data-action="sign" onClick={() => setActing(c)}>{t('签收')}</button> }
    : null;
  return (
    <div class="page">
      <div class="page-head"><h1>{t('我的工单')} · {user.unit.name}</h1><button type="button" class="btn" onClick={st.reload}>{t('刷新')}</button></div>
      <Tabs value={tab} onChange={(k) => { setPage(1); location.hash = '#/inbox/' + k; }} tabs={TABS.map(([k, l], i) => [k, t(l), n[i]])} />
      {flash && <div class="alert ok" role="status">{flash}</div>}
      <Async state={st}>{(d) => <>
        <CaseList cases={d.cases} extra={extra} />
        <Pager page={page} perPage={20} total={d.total} onPage={setPage} />
      </>}</Async>
      {acting && <ActionForm action="sign" c={acting} user={user} onClose={() => setActing(null)}
        onDone={(c) => { setActing(null); setFlash(t('工单 #{id} 已签收', { id: c.id })); }} />}
    </div>
  );
}
