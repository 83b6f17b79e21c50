// 受理登记: the agent records a request; the place is resolved from the
// address as it is typed; after recording, answer / refer / dispatch.
import { useState, useEffect } from 'preact/hooks';
import { api } from '../api.js';
import { t } from '../i18n.js';
import { TYPES, CHANNELS, TIERS, STATUS, options, label, actionLabel } from '../labels.js';
import { useForm, Field, Select, GeneralError } from '../components/ui.jsx';
import { CategoryPicker } from '../components/CategoryPicker.jsx';
import { ActionForm } from '../components/ActionForm.jsx';

const EMPTY = { type: 'complaint', channel: 'phone', 'requester.name': '', 'requester.phone': '', 'requester.confidential': false, title: '', content: '', address: '', 'location.lon': '', 'location.lat': '', 'location.crs': 'gcj02', category: null, tier: '' };
const NAMES = [...Object.keys(EMPTY), 'location'];
const CRS = [['gcj02', 'GCJ-02（高德、腾讯）'], ['bd09', 'BD-09（百度）'], ['wgs84', 'WGS-84（GPS）']];

function Resolved({ address }) {
  const [res, setRes] = useState(null);
  const [err, setErr] = useState(null);
  useEffect(() => {
    const a = address.trim();
    setErr(null);
    if (a.length < 2) { setRes(null); return undefined; }
    let live = true;
    const h = setTimeout(() => api.get('/geo/resolve', { address: a }).then((r) => live && setRes(r), (e) => live && (setRes(null), setErr(e))), 400);
    return () => { live = false; clearTimeout(h); };
  }, [address]);
  if (err) return <div class="resolved muted" data-testid="resolved">{t('属地未能识别')}：{err.message}</div>;
  if (!res) return null;
  const parts = [res.district, res.street, res.community].filter(Boolean).map((u) => u.name);
  return (
    <div class={'resolved' + (res.needs_decision ? ' warn' : ' ok')} data-testid="resolved">
      <b>{t('识别属地')}：</b>{parts.length ? parts.join(' › ') : t('未能识别')}
      {res.confidence !== undefined && <span class="muted small"> （{t('可信度')} {Math.round(res.confidence * 100)}%{res.needs_decision ? '，' + t('需派单员确认') : ''}）</span>}
      {res.evidence && <div class="muted small">{res.evidence}</div>}
    </div>
  );
}

export function Intake({ user }) {
  const f = useForm(EMPTY, NAMES);
  const [created, setCreated] = useState(null);
  const [acting, setActing] = useState(null);
  const v = f.values;
  const submit = (e) => {
    e.preventDefault();
    f.submit(async () => {
      const body = { type: v.type, channel: v.channel, title: v.title, content: v.content };
      if (v.address.trim()) body.address = v.address.trim();
      if (String(v['location.lon']).trim() || String(v['location.lat']).trim()) {
        const num = (x) => (String(x).trim() === '' || isNaN(Number(x)) ? x : Number(x));
        body.location = { lon: num(v['location.lon']), lat: num(v['location.lat']), crs: v['location.crs'] };
      }
      if (v['requester.name'] || v['requester.phone'] || v['requester.confidential']) {
        body.requester = { name: v['requester.name'], phone: v['requester.phone'], confidential: !!v['requester.confidential'] };
      }
      if (v.category) body.category = v.category;
      if (v.tier) body.tier = v.tier;
      const c = await api.post('/cases', body);
      setCreated(c);
      window.scrollTo(0, 0);
    });
  };
  const again = () => { setCreated(null); f.setValues(EMPTY); };

  if (created) {
    const c = created;
    const next = (c.allowed_actions || []).filter((a) => ['answer', 'refer', 'dispatch'].includes(a));
    return (
      <div class="page">
        <h1>{t('受理登记')}</h1>
        <div class="card created" data-testid="created">
          <div class="alert ok" role="status">{t('已受理，工单编号 #{id}', { id: c.id })}</div>
          <p><b>{c.title}</b> · <span class={'status s-' + c.status}>{label(STATUS, c.status)}</span></p>
          {c.lead_unit && <p>{t('已派单至{u}', { u: c.lead_unit.name })}{c.copy_units && c.copy_units.length ? '，' + t('抄送') + c.copy_units.map((u) => u.name).join('、') : ''}</p>}
          {c.status === 'received' && <p class="muted">{t('工单尚未派出：咨询可直接答复，不予派单的情形请选择“不予派单”，其余请派单。')}</p>}
          <div class="actions">
            {next.map((a) => <button type="button" class="btn primary" data-action={a} key={a} onClick={() => setActing(a)}>{actionLabel(a)}</button>)}
            <a class="btn" href={'#/case/' + c.id}>{t('查看工单')}</a>
            <button type="button" class="btn" onClick={again}>{t('继续受理')}</button>
          </div>
        </div>
        {acting && <ActionForm action={acting} c={c} user={user} onClose={() => setActing(null)} onDone={(u) => { setActing(null); setCreated(u); }} />}
      </div>
    );
  }

  return (
    <div class="page">
      <h1>{t('受理登记')}</h1>
      <form class="card form grid" onSubmit={submit} noValidate>
        <Field label={t('诉求类型') + ' *'} error={f.errorFor('type')} id="in-type"><Select id="in-type" options={options(TYPES)} {...f.bind('type')} /></Field>
        <Field label={t('来源渠道')} error={f.errorFor('channel')} id="in-channel"><Select id="in-channel" options={options(CHANNELS)} {...f.bind('channel')} /></Field>
        <Field label={t('诉求人姓名')} error={f.errorFor('requester.name')} id="in-name"><input id="in-name" autocomplete="off" {...f.bind('requester.name')} /></Field>
        <Field label={t('联系电话')} error={f.errorFor('requester.phone')} id="in-phone"><input id="in-phone" type="tel" inputMode="tel" autocomplete="off" {...f.bind('requester.phone')} /></Field>
        <div class="field wide check-field">
          <label class="check"><input type="checkbox" checked={!!v['requester.confidential']} onChange={(e) => f.set('requester.confidential', e.currentTarget.checked)} /> {t('诉求人要求保密（承办单位只见脱敏信息）')}</label>
          {f.errorFor('requester.confidential') && <div class="field-error">{f.errorFor('requester.confidential')}</div>}
        </div>
        <Field label={t('标题') + ' *'} error={f.errorFor('title')} id="in-title" wide><input id="in-title" maxLength={200} {...f.bind('title')} /></Field>
        <Field label={t('诉求内容') + ' *'} error={f.errorFor('content')} id="in-content" wide><textarea id="in-content" rows={4} {...f.bind('content')} /></Field>
        <Field label={t('事发地址')} error={f.errorFor('address')} id="in-address" wide hint={t('写明区、街道（乡镇）、社区或小区，系统据此确定属地并自动派单')}>
          <input id="in-address" {...f.bind('address')} />
        </Field>
        <div class="field wide"><Resolved address={v.address} /></div>
        <details class="field wide more" open={!!(v['location.lon'] || v['location.lat'] || f.errorFor('location'))}>
          <summary>{t('坐标（网站、App、小程序来件带有坐标时填写）')}</summary>
          <div class="coords">
            <Field label={t('经度')} error={f.errorFor('location.lon')} id="in-lon"><input id="in-lon" inputMode="decimal" placeholder="116.2229" {...f.bind('location.lon')} /></Field>
            <Field label={t('纬度')} error={f.errorFor('location.lat')} id="in-lat"><input id="in-lat" inputMode="decimal" placeholder="39.9063" {...f.bind('location.lat')} /></Field>
            <Field label={t('坐标系')} error={f.errorFor('location.crs')} id="in-crs"><Select id="in-crs" options={CRS} {...f.bind('location.crs')} /></Field>
          </div>
          {f.errorFor('location') && <div class="field-error">{f.errorFor('location')}</div>}
        </details>
        <Field label={t('诉求分类')} error={f.errorFor('category')} id="in-category" wide>
          <CategoryPicker id="in-category" value={v.category} onChange={(c) => { f.set('category', c ? c.id : null); if (c && !v.tier) f.set('tier', ''); }} />
        </Field>
        <Field label={t('时限等级')} error={f.errorFor('tier')} id="in-tier" hint={t('不选则按分类确定')}>
          <Select id="in-tier" options={options(TIERS)} empty={t('按分类')} {...f.bind('tier')} />
        </Field>
        <GeneralError form={f} />
        <div class="form-actions wide">
          <button type="button" class="btn" onClick={() => f.setValues(EMPTY)}>{t('清空')}</button>
          <button type="submit" class="btn primary" disabled={f.busy}>{t('提交受理')}</button>
        </div>
      </form>
    </div>
  );
}
