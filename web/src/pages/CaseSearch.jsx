// 工单查询: every case within the user's remit, filtered and paged.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { STATUS, options } from '../labels.js';
import { useAsync, Async, Pager, Field, Select } from '../components/ui.jsx';
import { CaseList } from '../components/CaseList.jsx';

export function CaseSearch() {
  const [q, setQ] = useState({ status: '', overdue: '', from: '', to: '', unit: '' });
  const [applied, setApplied] = useState(q);
  const [page, setPage] = useState(1);
  const st = useAsync(() => api.get('/cases', { ...applied, page, per_page: 20 }), [applied, page]);
  const set = (k) => (e) => setQ({ ...q, [k]: e.currentTarget.value });
  return (
    <div class="page">
      <h1>{t('工单查询')}</h1>
      <form class="card form filters" onSubmit={(e) => { e.preventDefault(); setPage(1); setApplied(q); }}>
        <Field label={t('状态')} id="f-status"><Select id="f-status" options={options(STATUS)} empty={t('全部')} value={q.status} onInput={set('status')} /></Field>
        <Field label={t('是否超期')} id="f-overdue"><Select id="f-overdue" options={[['true', t('已超期')], ['false', t('未超期')]]} empty={t('全部')} value={q.overdue} onInput={set('overdue')} /></Field>
        <Field label={t('受理日期从')} id="f-from"><input id="f-from" type="date" value={q.from} onInput={set('from')} /></Field>
        <Field label={t('至')} id="f-to"><input id="f-to" type="date" value={q.to} onInput={set('to')} /></Field>
        <Field label={t('承办单位编码')} id="f-unit"><input id="f-unit" value={q.unit} onInput={set('unit')} placeholder="110107001" /></Field>
        <div class="form-actions"><button class="btn primary" type="submit">{t('查询')}</button></div>
      </form>
      <Async state={st}>{(d) => <>
        <CaseList cases={d.cases} />
        <Pager page={page} perPage={20} total={d.total} onPage={setPage} />
      </>}</Async>
    </div>
  );
}
