// 回访队列: cases waiting for a callback, oldest first, each with the form.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { useAsync, Async, Pager } from '../components/ui.jsx';
import { CaseList } from '../components/CaseList.jsx';
import { ActionForm } from '../components/ActionForm.jsx';

export function Callbacks({ user }) {
  const [page, setPage] = useState(1);
  const [acting, setActing] = useState(null);
  const [flash, setFlash] = useState(null);
  const st = useAsync(() => api.get('/cases', { callback_due: 'true', page, per_page: 20 }), [page]);
  return (
    <div class="page">
      <div class="page-head"><h1>{t('回访队列')}</h1><button type="button" class="btn" onClick={st.reload}>{t('刷新')}</button></div>
      <p class="muted">{t('承办单位已反馈或已过反馈时限的工单，请致电诉求人回访：是否联系、是否解决、是否满意。')}</p>
      {flash && <div class="alert ok" role="status">{flash}</div>}
      <Async state={st}>{(d) => <>
        <CaseList cases={d.cases} extra={{ title: t('回访'), render: (c) => <button type="button" class="btn small primary" data-action="callback" onClick={() => setActing(c)}>{t('回访')}</button> }} />
        <Pager page={d.page || page} perPage={d.per_page || 20} total={d.total} onPage={setPage} />
      </>}</Async>
      {acting && <ActionForm action="callback" c={acting} user={user} onClose={() => setActing(null)}
        onDone={(c) => { setActing(null); setFlash(t('工单 #{id} 已回访', { id: c.id })); st.reload(); }} />}
    </div>
  );
}
