// 派单台: waiting for dispatch, disputed (退单待审), extension and exclusion
// applications waiting for the centre's decision.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { SCOPES, label, fmtTime } from '../labels.js';
import { useAsync, Async, Pager, Tabs } from '../components/ui.jsx';
import { CaseList } from '../components/CaseList.jsx';
import { ActionForm } from '../components/ActionForm.jsx';

// Applications waiting for the centre: extensions and exclusions.
async function pending(page) {
  const [ext, exc] = await Promise.all([
    api.get('/cases', { pending: 'extension', sort: 'due', page, per_page: 20 }),
    api.get('/cases', { pending: 'exclusion', page, per_page: 20 }),
  ]);
  const seen = new Set();
  const cases = [...ext.cases, ...exc.cases].filter((c) => !seen.has(c.id) && seen.add(c.id));
  return { cases, total: Math.max(ext.total, exc.total), ext: ext.total, exc: exc.total };
}

export function Dispatch({ user }) {
  const [tab, setTab] = useState('received');
  const [page, setPage] = useState(1);
  const [acting, setActing] = useState(null);
  const [flash, setFlash] = useState(null);
  const st = useAsync(() => (tab === 'pending' ? pending(page) : api.get('/cases', { status: tab, page, per_page: 20 })), [tab, page]);
  const counts = useAsync(() => Promise.all([{ status: 'received' }, { status: 'returned' }, { pending: 'extension' }, { pending: 'exclusion' }].map((q) => api.get('/cases', { ...q, per_page: 1 }).then((r) => r.total))), [flash]);
  const n = counts.data || [];
  const go = (k) => { setTab(k); setPage(1); };
  const extra = tab === 'received'
    ? { title: t('操作'), render: (c) => <button type="button" class="btn small primary" data-action="dispatch" onClick={() => setActing({ c, a: 'dispatch' })}>{t('派单')}</button> }
    : tab === 'returned'
      ? { title: t('操作'), render: (c) => <a class="btn small primary" href={'#/case/' + c.id}>{t('退单审核')}</a> }
      : { title: t('待审事项'), render: (c) => <span>{c.extension_requested ? t('延期至 {d}', { d: fmtTime(c.extension_requested) }) + ' ' : ''}{c.assessment && c.assessment.requested ? t('申请') + label(SCOPES, c.assessment.requested) + ' ' : ''}<a class="btn small" href={'#/case/' + c.id}>{t('审核')}</a></span> };
  return (
    <div class="page">
      <div class="page-head"><h1>{t('派单台')}</h1><button type="button" class="btn" onClick={st.reload}>{t('刷新')}</button></div>
      <Tabs value={tab} onChange={go} tabs={[['received', t('待派单'), n[0]], ['returned', t('退单待审'), n[1]], ['pending', t('延期、剔除待审'), n.length ? n[2] + n[3] : undefined]]} />
      {flash && <div class="alert ok" role="status">{flash}</div>}
      <Async state={st}>{(d) => <>
        <CaseList cases={d.cases} extra={extra} />
        <Pager page={page} perPage={20} total={d.total} onPage={setPage} />
      </>}</Async>
      {acting && <ActionForm action={acting.a} c={acting.c} user={user} onClose={() => setActing(null)}
        onDone={(c) => { setActing(null); setFlash(t('工单 #{id} 已派至 {u}', { id: c.id, u: c.lead_unit ? c.lead_unit.name : '' })); st.reload(); }} />}
    </div>
  );
}
