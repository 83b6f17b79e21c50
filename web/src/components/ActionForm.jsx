// One small form per case action, with the fields the API takes (docs/API.md).
// The body is built from the inputs; the server's error is shown next to the
// field it names, and the inputs keep what was typed.
import { useState, useEffect } from 'preact/hooks';
import { api, serverNow } from '../api.js';
import { t, getLang } from '../i18n.js';
import { OUTCOMES, CAUSES, METHODS, SATISFACTION, TIERS, options, actionLabel, fmtTime } from '../labels.js';
import { useForm, Field, Select, GeneralError, Dialog } from './ui.jsx';
import { UnitPicker } from './UnitPicker.jsx';

const YESNO = () => [['true', t('是')], ['false', t('否')]];
const RATING = () => [['5', '5 ' + t('很好')], ['4', '4'], ['3', '3'], ['2', '2'], ['1', '1 ' + t('很差')]];

// Beijing wall-clock time from <input type=datetime-local>.
export const localToIso = (v) => (v ? (v.length === 16 ? v + ':00' : v) + '+08:00' : undefined);
function isoToLocal(iso) {
  if (!iso) return '';
  const b = new Date(new Date(iso).getTime() + 8 * 3600e3);
  return b.toISOString().slice(0, 16);
}
const plusDays = (iso, days) => isoToLocal(new Date(new Date(iso || serverNow()).getTime() + days * 86400e3).toISOString());

// Units the lead may summon: the district's departments and enterprises.
function summonable(c) {
  const d = c.place && c.place.district ? c.place.district.code : c.lead_unit && c.lead_unit.code.slice(0, 6);
  return Promise.all([api.get('/units', { kind: 'department', parent: d }), api.get('/units', { kind: 'enterprise', parent: d })])
    .then(([a, b]) => [...a.units, ...b.units]);
}
const communities = (c) => api.get('/units', { kind: 'community', parent: c.lead_unit && c.lead_unit.kind === 'street' ? c.lead_unit.code : c.place && c.place.street && c.place.street.code }).then((r) => r.units);

// name, label, type, extra. Types: text, textarea, select, bool, datetime, number, unit, units, async.
function spec(action, c, user) {
  const myTasks = (c.tasks || []).filter((k) => k.unit.code === user.unit.code && !k.finished_at);
  const taskOpts = myTasks.map((k) => [String(k.no), (k.kind === 'whistle' ? t('第 {n} 哨', { n: k.no }) : t('下派任务')) + (k.reported_at ? '' : t('（未报到）'))]);
  switch (action) {
    case 'answer': return [{ name: 'answer', label: '答复内容', type: 'textarea', required: true }];
    case 'refer': return [{ name: 'outcome', label: '不予派单情形', type: 'select', options: options(OUTCOMES), required: true }, { name: 'answer', label: '告知诉求人的内容', type: 'textarea', required: true }];
    case 'dispatch': return [{ name: 'unit', label: '承办单位（不选则按分类和属地自动确定）', type: 'unit' }, { name: 'tier', label: '时限等级', type: 'select', options: options(TIERS), empty: '按分类' }];
    case 'contact': return [{ name: 'reached', label: '是否联系上', type: 'bool', initial: 'true' }, { name: 'method', label: '联系方式', type: 'select', options: options(METHODS), initial: 'phone' }, { name: 'note', label: '联系情况', type: 'textarea' }];
    case 'note': return [{ name: 'note', label: '备注内容', type: 'textarea', required: true }];
    case 'reply': return [{ name: 'result', label: '办理结果', type: 'textarea', required: true }, { name: 'solved', label: '是否已解决', type: 'bool', initial: 'true' },
      ...((c.tasks || []).some((k) => !k.finished_at) ? [{ name: 'reason', label: '仍有未办结任务，说明原因', type: 'textarea' }] : [])];
    case 'whistle': return [{ name: 'units', label: '召集部门（可多选）', type: 'units', load: summonable, required: true }, { name: 'place', label: '报到地点', type: 'text' },
      { name: 'report_due', label: '报到时限（默认 2 小时）', type: 'datetime' }, { name: 'reason', label: '吹哨事由', type: 'textarea' }];
    case 'report': return [...(taskOpts.length > 1 ? [{ name: 'whistle', label: '任务', type: 'select', options: taskOpts, number: true }] : []), { name: 'on_site', label: '是否到场', type: 'bool', initial: 'true' }, { name: 'note', label: '报到情况', type: 'textarea' }];
    case 'finish': return [...(taskOpts.length > 1 ? [{ name: 'whistle', label: '任务', type: 'select', options: taskOpts, number: true }] : []), { name: 'result', label: '办理结果', type: 'textarea', required: true }];
    case 'rate': {
      const todo = (c.tasks || []).filter((k) => k.kind === 'whistle' && k.finished_at && !k.rating);
      return [{ name: 'task', label: '评价对象', type: 'select', options: todo.map((k) => [k.unit.code + '|' + k.no, `${k.unit.name}（${t('第 {n} 哨', { n: k.no })}）`]), required: true },
        { name: 'timeliness', label: '及时性', type: 'select', options: RATING(), initial: '5', number: true }, { name: 'attitude', label: '态度', type: 'select', options: RATING(), initial: '5', number: true },
        { name: 'result', label: '效果', type: 'select', options: RATING(), initial: '5', number: true }];
    }
    case 'return': return [{ name: 'cause', label: '退单原因', type: 'select', options: options(CAUSES), required: true }, { name: 'evidence', label: '依据和说明', type: 'textarea', required: true }];
    case 'decide_return': return [{ name: 'decision', label: '审核意见', type: 'select', options: [['redispatch', t('同意退单，改派')], ['reject', t('不同意，退回原单位')]], initial: 'redispatch' },
      { name: 'unit', label: '改派单位', type: 'unit', when: (v) => v.decision === 'redispatch' }, { name: 'tier', label: '时限等级', type: 'select', options: options(TIERS), empty: '不变', when: (v) => v.decision === 'redispatch' }];
    case 'extend': return [{ name: 'new_due', label: '申请延至', type: 'datetime', required: true, initial: plusDays(c.deadlines && c.deadlines.feedback && c.deadlines.feedback.due, 7) }, { name: 'reason', label: '延期理由', type: 'textarea', required: true }];
    case 'decide_extension': return [{ name: 'approve', label: `${t('申请延至')} ${fmtTime(c.extension_requested)}，${t('是否同意')}`, type: 'bool', initial: 'true' }, { name: 'reason', label: '审核意见', type: 'textarea' }];
    case 'supervise': return [{ name: 'instruction', label: '督办要求', type: 'textarea', required: true }, { name: 'due', label: '回复时限', type: 'datetime', required: true, initial: plusDays(null, 1) }];
    case 'answer_supervision': {
      const open = (c.supervisions || []).filter((s) => !s.answered_at);
      return [...(open.length > 1 ? [{ name: 'no', label: '督办', type: 'select', options: open.map((s) => [String(s.no), t('第 {n} 次督办', { n: s.no })]), number: true }] : []), { name: 'answer', label: '回复内容', type: 'textarea', required: true }];
    }
    case 'escalate': return [{ name: 'to', label: '提级至', type: 'select', options: [['district', t('区级')], ['city', t('市级')]], initial: 'district' }, { name: 'reason', label: '提级理由', type: 'textarea', required: true }];
    case 'subdispatch': return [{ name: 'community', label: '下派社区', type: 'async', load: communities, required: true }, { name: 'note', label: '工作要求', type: 'textarea' }];
    case 'park': return [{ name: 'until', label: '计划解决时间', type: 'datetime', required: true, initial: plusDays(null, 30) }, { name: 'reason', label: '挂账理由', type: 'textarea', required: true }];
    case 'merge': return [{ name: 'into', label: '合并至工单编号', type: 'number', required: true }];
    case 'link_repeat': return [{ name: 'of', label: '原工单编号', type: 'number', required: true }];
    case 'callback': return [{ name: 'valid', label: '是否联系上诉求人（有效回访）', type: 'bool', initial: 'true' },
      { name: 'contacted', label: '承办单位是否联系过您', type: 'bool', initial: 'true', when: (v) => v.valid === 'true' },
      { name: 'solved', label: '问题是否解决', type: 'bool', initial: 'true', when: (v) => v.valid === 'true' },
      { name: 'satisfaction', label: '是否满意', type: 'select', options: options(SATISFACTION), initial: 'satisfied', when: (v) => v.valid === 'true' },
      { name: 'comment', label: '回访记录', type: 'textarea' }];
    case 'reopen': return [{ name: 'reason', label: '重办理由', type: 'textarea' }];
    case 'apply_exclusion': return [{ name: 'scope', label: '申请事项', type: 'select', options: [['excluded', t('剔除（不计入考核）')], ['response_only', t('仅考核响应率')]], initial: 'excluded' }, { name: 'evidence', label: '依据和说明', type: 'textarea', required: true }];
    case 'decide_exclusion': return [{ name: 'approve', label: '是否同意', type: 'bool', initial: 'true' }, { name: 'reason', label: '审核意见', type: 'textarea' }];
    case 'locate': return [{ name: 'place', label: '属地（选择区、街乡或社区）', type: 'unit', selectable: (u) => ['district', 'street', 'community'].includes(u.kind), required: true }, { name: 'reason', label: '理由', type: 'textarea', required: true }];
    case 'redirect': return [{ name: 'unit', label: '改派单位', type: 'unit', required: true }, { name: 'tier', label: '时限等级', type: 'select', options: options(TIERS), empty: '不变' }, { name: 'reason', label: '改派理由', type: 'textarea', required: true }];
    default: return []; // sign, close, unpark: a confirmation
  }
}

function body(action, fields, v, picked) {
  const b = {};
  for (const f of fields) {
    if (f.when && !f.when(v)) continue;
    let x = v[f.name];
    if (f.type === 'unit') {
      const u = picked[f.name];
      if (!u) continue;
      if (action === 'locate') { b[u.kind] = u.code; continue; }
      x = u.code;
    }
    if (f.name === 'task') { const [unit, no] = String(x || '').split('|'); if (unit) { b.unit = unit; b.whistle = Number(no); } continue; }
    if (x === undefined || x === null || x === '' || (Array.isArray(x) && !x.length && !f.required)) continue;
    if (f.type === 'bool') x = x === true || x === 'true';
    else if (f.type === 'datetime') x = localToIso(x);
    else if (f.type === 'number' || f.number) x = Number(x);
    b[f.name] = x;
  }
  return b;
}

function Checklist({ load, c, value, onChange }) {
  const [list, setList] = useState(null);
  const [err, setErr] = useState(null);
  const [q, setQ] = useState('');
  useEffect(() => { load(c).then(setList, setErr); }, []);
  if (err) return <div class="field-error">{err.message}</div>;
  if (!list) return <p class="muted">{t('正在加载…')}</p>;
  const sel = new Set(value || []);
  const shown = list.filter((u) => !q || u.name.includes(q));
  return (
    <div class="checklist">
      <input type="search" placeholder={t('筛选部门')} value={q} onInput={(e) => setQ(e.currentTarget.value)} />
      <div class="checklist-box">
        {shown.map((u) => (
          <label class="check" key={u.code}>
            <input type="checkbox" value={u.code} checked={sel.has(u.code)} onChange={(e) => {
              const n = new Set(sel); if (e.currentTarget.checked) n.add(u.code); else n.delete(u.code); onChange([...n]);
            }} /> {u.name}
          </label>))}
      </div>
    </div>
  );
}

function AsyncSelect({ load, c, ...rest }) {
  const [opts, setOpts] = useState(null);
  const [err, setErr] = useState(null);
  useEffect(() => { load(c).then((l) => setOpts(l.map((u) => [u.code, u.name])), setErr); }, []);
  if (err) return <div class="field-error">{err.message}</div>;
  return <Select options={opts || []} empty={opts ? t('请选择') : t('正在加载…')} {...rest} />;
}

export function ActionForm({ action, c, user, onDone, onClose }) {
  const fields = spec(action, c, user);
  const initial = {};
  fields.forEach((f) => { initial[f.name] = f.initial !== undefined ? f.initial : f.type === 'units' ? [] : ''; });
  const names = fields.map((f) => f.name);
  if (action === 'locate') names.push('district', 'street', 'community');
  if (action === 'rate') names.push('unit', 'whistle');
  const f = useForm(initial, names);
  const [picked, setPicked] = useState({});
  const errorOf = (name) => f.errorFor(name) || (name === 'place' && (f.errorFor('district') || f.errorFor('street') || f.errorFor('community'))) || (name === 'task' && (f.errorFor('unit') || f.errorFor('whistle')));
  const submit = (e) => {
    e.preventDefault();
    f.submit(async (v) => {
      const updated = await api.post(`/cases/${c.id}/actions/${action}`, body(action, fields, v, picked));
      onDone(updated, action);
    });
  };
  return (
    <Dialog title={actionLabel(action) + ' · #' + c.id} onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate data-action={action}>
        {!fields.length && <p>{t('确认对工单 #{id}「{title}」执行“{a}”？', { id: c.id, title: c.title, a: actionLabel(action) })}</p>}
        {fields.map((fd) => {
          if (fd.when && !fd.when(f.values)) return null;
          const id = `af-${action}-${fd.name}`;
          const lab = t(fd.label) + (fd.required ? ' *' : '');
          let input;
          if (fd.type === 'textarea') input = <textarea id={id} rows={3} {...f.bind(fd.name)} />;
          else if (fd.type === 'select') input = <Select id={id} options={fd.options} empty={fd.empty !== undefined ? t(fd.empty) : fd.initial === undefined ? t('请选择') : undefined} {...f.bind(fd.name)} />;
          else if (fd.type === 'bool') input = <Select id={id} options={YESNO()} {...f.bind(fd.name)} />;
          else if (fd.type === 'datetime') input = <input id={id} type="datetime-local" {...f.bind(fd.name)} />;
          else if (fd.type === 'number') input = <input id={id} type="number" min="1" inputMode="numeric" {...f.bind(fd.name)} />;
          else if (fd.type === 'unit') input = <UnitPicker id={id} value={picked[fd.name] ? picked[fd.name].code : null} selectable={fd.selectable} onChange={(u) => setPicked((p) => ({ ...p, [fd.name]: u }))} />;
          else if (fd.type === 'units') input = <Checklist load={fd.load} c={c} value={f.values[fd.name]} onChange={(l) => f.set(fd.name, l)} />;
          else if (fd.type === 'async') input = <AsyncSelect id={id} load={fd.load} c={c} {...f.bind(fd.name)} />;
          else input = <input id={id} type="text" {...f.bind(fd.name)} />;
          return <Field key={fd.name} id={id} label={lab} error={errorOf(fd.name)} wide>{input}</Field>;
        })}
        <GeneralError form={f} />
        <div class="form-actions">
          <button type="button" class="btn" onClick={onClose}>{t('取消')}</button>
          <button type="submit" class="btn primary" disabled={f.busy}>{getLang() === 'en' ? 'Submit' : '提交'}</button>
        </div>
      </form>
    </Dialog>
  );
}
