// One case: the facts, its clocks, the requester (masked, with an explicit
// reveal), whistle tasks and supervision, exactly the actions this user may
// take now, and the whole history.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { STATUS, TYPES, CHANNELS, TIERS, CLOCKS, SATISFACTION, SCOPES, label, actionLabel, fmtTime } from '../labels.js';
import { useAsync, Async, Countdown, Dialog, Field, GeneralError, useForm } from '../components/ui.jsx';
import { ActionForm } from '../components/ActionForm.jsx';
import { Timeline } from '../components/Timeline.jsx';

function Reveal({ c, onClose, onShown }) {
  const f = useForm({ reason: '' });
  const submit = (e) => {
    e.preventDefault();
    f.submit(async (v) => { onShown(await api.post(`/cases/${c.id}/reveal`, { reason: v.reason })); onClose(); });
  };
  return (
    <Dialog title={t('查看诉求人联系方式')} onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        <p class="muted">{t('查看将记入办理过程。请说明用途，如：电话联系诉求人核实情况。')}</p>
        <Field label={t('查看原因') + ' *'} error={f.errorFor('reason')} id="reveal-reason" wide>
          <textarea id="reveal-reason" rows={2} {...f.bind('reason')} />
        </Field>
        <GeneralError form={f} />
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('取消')}</button>
          <button type="submit" class="btn primary" disabled={f.busy}>{t('查看')}</button>
        </div>
      </form>
    </Dialog>
  );
}

const yn = (b) => (b === null || b === undefined ? '—' : b ? t('是') : t('否'));

function Facts({ c }) {
  const place = c.place ? [c.place.district, c.place.street, c.place.community].filter(Boolean).map((u) => u.name).join(' › ') : '';
  const rows = [
    [t('类型'), label(TYPES, c.type)], [t('渠道'), label(CHANNELS, c.channel)], [t('时限等级'), label(TIERS, c.tier)],
    [t('分类'), c.category ? c.category.path.replaceAll('->', ' › ') : '—'], [t('属地'), place || '—'], [t('地址'), c.address || '—'],
    [t('承办单位'), c.lead_unit ? c.lead_unit.name : '—'], [t('抄送'), (c.copy_units || []).map((u) => u.name).join('、') || '—'],
    [t('受理时间'), fmtTime(c.created_at)],
  ];
  if (c.closed_at) rows.push([t('办结时间'), fmtTime(c.closed_at)]);
  if (c.parked_until) rows.push([t('挂账至'), fmtTime(c.parked_until)]);
  if (c.extension_requested) rows.push([t('申请延期至'), fmtTime(c.extension_requested)]);
  if (c.escalation) rows.push([t('提级'), c.escalation === 'city' ? t('市级') : t('区级')]);
  if (c.dispute) rows.push([t('退单'), c.dispute.cause]);
  if (c.merged_into) rows.push([t('已合并至'), <a href={'#/case/' + c.merged_into}>#{c.merged_into}</a>]);
  if (c.repeat_of) rows.push([t('重复诉求，原工单'), <a href={'#/case/' + c.repeat_of}>#{c.repeat_of}</a>]);
  if (c.assessment) rows.push([t('考核范围'), label(SCOPES, c.assessment.scope) + (c.assessment.requested ? ` （${t('申请')}：${label(SCOPES, c.assessment.requested)}）` : '')]);
  return <dl class="facts">{rows.map(([k, v]) => <div key={k}><dt>{k}</dt><dd>{v}</dd></div>)}</dl>;
}

function Clocks({ c }) {
  const list = Object.entries(c.deadlines || {}).filter(([, d]) => d);
  if (!list.length) return null;
  return (
    <table class="clocks">
      <thead><tr><th>{t('时限')}</th><th>{t('截止')}</th><th>{t('完成')}</th><th>{t('状态')}</th></tr></thead>
      <tbody>{list.map(([k, d]) => (
        <tr key={k}><td>{label(CLOCKS, k)}</td><td>{fmtTime(d.due)}</td><td>{d.done_at ? fmtTime(d.done_at) : '—'}</td>
          <td>{d.done_at ? <span class={'cd ' + (d.state === 'met_late' ? 'overdue' : 'fine')}>{d.state === 'met_late' ? t('超时完成') : t('按时完成')}</span> : <Countdown deadline={{ clock: k, ...d }} showClock={false} />}</td></tr>))}
      </tbody>
    </table>
  );
}

function Tasks({ c }) {
  if (!c.tasks || !c.tasks.length) return null;
  return (
    <section class="card">
      <h2>{t('吹哨报到与下派任务')}</h2>
      <table class="tasks">
        <thead><tr><th>{t('任务')}</th><th>{t('单位')}</th><th>{t('报到时限')}</th><th>{t('报到')}</th><th>{t('办结')}</th><th>{t('评价')}</th></tr></thead>
        <tbody>{c.tasks.map((k) => (
          <tr key={k.kind + k.no + k.unit.code}>
            <td data-th={t('任务')}>{k.kind === 'whistle' ? t('第 {n} 哨', { n: k.no }) : t('下派')}</td>
            <td data-th={t('单位')}>{k.unit.name}</td>
            <td data-th={t('报到时限')}>{k.report_due ? fmtTime(k.report_due) : '—'}</td>
            <td data-th={t('报到')}>{k.reported_at ? fmtTime(k.reported_at) + (k.on_site ? t('（到场）') : '') : (k.kind === 'whistle' ? <span class="cd warning">{t('待报到')}</span> : '—')}</td>
            <td data-th={t('办结')}>{k.finished_at ? fmtTime(k.finished_at) : <span class="muted">{t('办理中')}</span>}</td>
            <td data-th={t('评价')}>{k.rating ? `${k.rating.timeliness}/${k.rating.attitude}/${k.rating.result}` : '—'}</td>
          </tr>))}
        </tbody>
      </table>
    </section>
  );
}

function Requester({ c, onRevealed }) {
  const [shown, setShown] = useState(null);
  const [asking, setAsking] = useState(false);
  const r = c.requester || {};
  const canReveal = r.can_reveal || c.can_reveal;
  return (
    <div class="requester">
      <span>{t('诉求人')}：<b data-testid="req-name">{shown ? shown.name : r.name || '—'}</b></span>
      <span>{t('电话')}：<b data-testid="req-phone">{shown ? shown.phone : r.phone || '—'}</b></span>
      {r.confidential && <span class="tag warn">{t('保密')}</span>}
      {!shown && r.masked && canReveal && <button type="button" class="btn small" onClick={() => setAsking(true)}>{t('查看')}</button>}
      {asking && <Reveal c={c} onClose={() => setAsking(false)} onShown={(r) => { setShown(r); onRevealed(); }} />}
    </div>
  );
}

export function CasePage({ user, id }) {
  const st = useAsync(() => api.get('/cases/' + encodeURIComponent(id)), [id]);
  const [acting, setActing] = useState(null);
  const [flash, setFlash] = useState(null);
  return (
    <Async state={st}>{(c) => (
      <div class="case-page">
        <div class="case-head card">
          <div class="case-title">
            <h1>#{c.id} {c.title}</h1>
            <span class={'status s-' + c.status}>{label(STATUS, c.status) || c.status_label}</span>
            {c.overdue && <span class="cd overdue">{t('已超期')}</span>}
          </div>
          <Requester c={c} onRevealed={st.reload} />
          <p class="content">{c.content}</p>
          {c.answer && <p><b>{t('答复')}：</b>{c.answer}</p>}
          {c.result && <p><b>{t('办理结果')}：</b>{c.result}（{c.solved ? t('已解决') : t('未解决')}）</p>}
          {c.callback && <p><b>{t('回访结果')}：</b>{c.callback.valid ? `${t('是否联系')} ${yn(c.callback.contacted)}，${t('是否解决')} ${yn(c.callback.solved)}，${label(SATISFACTION, c.callback.satisfaction)}` : t('未联系上')}（{fmtTime(c.callback.at)}）</p>}
        </div>

        <section class="card actions-card">
          <h2>{t('可办理操作')}</h2>
          {flash && <div class="alert ok" role="status">{flash}</div>}
          {c.allowed_actions && c.allowed_actions.length
            ? <div class="actions">{c.allowed_actions.map((a) => <button type="button" class={'btn' + (['sign', 'reply', 'dispatch', 'callback', 'report', 'finish'].includes(a) ? ' primary' : '')} data-action={a} onClick={() => { setFlash(null); setActing(a); }} key={a}>{actionLabel(a)}</button>)}</div>
            : <p class="muted">{t('无可办理的操作')}</p>}
        </section>

        <div class="case-grid">
          <section class="card"><h2>{t('工单信息')}</h2><Facts c={c} /></section>
          <section class="card"><h2>{t('办理时限')}</h2><Clocks c={c} />
            {c.supervisions && c.supervisions.length > 0 && <>
              <h3>{t('督办')}</h3>
              <ul class="plain">{c.supervisions.map((s) => <li key={s.no}>{t('第 {n} 次督办', { n: s.no })} · {s.unit.name} · {t('回复时限')} {fmtTime(s.due)} · {s.answered_at ? t('已回复') : <span class="cd warning">{t('待回复')}</span>}</li>)}</ul>
            </>}
          </section>
        </div>
        <Tasks c={c} />
        <section class="card"><h2>{t('办理过程')}</h2><Timeline events={c.events} /></section>
        {acting && <ActionForm action={acting} c={c} user={user} onClose={() => setActing(null)}
          onDone={() => { setActing(null); setFlash(t('已{a}', { a: actionLabel(acting) })); st.reload(); }} />}
      </div>
    )}</Async>
  );
}
