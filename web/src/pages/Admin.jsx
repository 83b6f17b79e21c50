// 系统管理: users, units, categories and the holiday calendar.
import { useState } from 'preact/hooks';
import { api, serverNow } from '../api.js';
import { t } from '../i18n.js';
import { ROLES, KINDS, TIERS, HANDLING, label, options, fmtTime } from '../labels.js';
import { useAsync, Async, Pager, Field, Select, GeneralError, Dialog, useForm } from '../components/ui.jsx';
import { UnitPicker } from '../components/UnitPicker.jsx';

function Flash({ msg }) { return msg ? <div class="alert ok" role="status">{msg}</div> : null; }

// ---- users -------------------------------------------------------------
function UserForm({ user, onClose, onSaved }) {
  const editing = !!user;
  const f = useForm(editing ? { login: user.login, name: user.name, role: user.role, unit: user.unit.code, password: '' }
    : { login: '', name: '', role: 'handler', unit: '', password: '' });
  const submit = (e) => {
    e.preventDefault();
    f.submit(async (v) => {
      let saved;
      if (editing) {
        const b = {};
        if (v.name !== user.name) b.name = v.name;
        if (v.role !== user.role) b.role = v.role;
        if (v.unit !== user.unit.code) b.unit = v.unit;
        if (v.password) b.password = v.password;
        if (!Object.keys(b).length) { onClose(); return; }
        saved = await api.patch('/users/' + user.id, b);
      } else {
        saved = await api.post('/users', { login: v.login.trim(), name: v.name, role: v.role, unit: v.unit, password: v.password });
      }
      onSaved(saved);
    });
  };
  return (
    <Dialog title={editing ? t('编辑用户 {l}', { l: user.login }) : t('新增用户')} onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        {!editing && <Field label={t('账号') + ' *'} error={f.errorFor('login')} id="u-login" wide><input id="u-login" autocomplete="off" {...f.bind('login')} /></Field>}
        <Field label={t('姓名') + ' *'} error={f.errorFor('name')} id="u-name" wide><input id="u-name" {...f.bind('name')} /></Field>
        <Field label={t('角色') + ' *'} error={f.errorFor('role')} id="u-role" wide><Select id="u-role" options={options(ROLES)} {...f.bind('role')} /></Field>
        <Field label={t('所属单位') + ' *'} error={f.errorFor('unit')} id="u-unit" wide hint={f.values.unit ? t('单位编码') + ' ' + f.values.unit : null}>
          <UnitPicker id="u-unit" value={f.values.unit} onChange={(u) => f.set('unit', u ? u.code : '')} />
        </Field>
        <Field label={editing ? t('新密码（不改请留空）') : t('初始密码') + ' *'} error={f.errorFor('password')} id="u-password" wide>
          <input id="u-password" type="password" autocomplete="new-password" {...f.bind('password')} />
        </Field>
        <GeneralError form={f} />
        <div class="form-actions"><button type="button" class="btn" onClick={onClose}>{t('取消')}</button><button class="btn primary" type="submit" disabled={f.busy}>{t('保存')}</button></div>
      </form>
    </Dialog>
  );
}

export function AdminUsers() {
  const [page, setPage] = useState(1);
  const [unit, setUnit] = useState('');
  const [unitIn, setUnitIn] = useState('');
  const [editing, setEditing] = useState(null);
  const [flash, setFlash] = useState(null);
  const [rowErr, setRowErr] = useState(null);
  const st = useAsync(() => api.get('/users', { unit, page, per_page: 20 }), [unit, page, flash]);
  const toggle = async (u) => {
    setRowErr(null);
    try { await api.patch('/users/' + u.id, { active: !u.active }); setFlash(u.active ? t('已停用 {l}', { l: u.login }) : t('已启用 {l}', { l: u.login })); }
    catch (e) { setRowErr(e.message); }
  };
  return (
    <div class="page">
      <div class="page-head"><h1>{t('用户管理')}</h1><button type="button" class="btn primary" onClick={() => setEditing('new')}>{t('新增用户')}</button></div>
      <form class="card form filters" onSubmit={(e) => { e.preventDefault(); setPage(1); setUnit(unitIn.trim()); }}>
        <Field label={t('单位编码')} id="uf-unit"><input id="uf-unit" value={unitIn} onInput={(e) => setUnitIn(e.currentTarget.value)} placeholder="110107001" /></Field>
        <div class="form-actions"><button class="btn" type="submit">{t('筛选')}</button></div>
      </form>
      <Flash msg={flash} />
      {rowErr && <div class="alert error" role="alert">{rowErr}</div>}
      <Async state={st}>{(d) => <>
        <table class="list" data-testid="users">
          <thead><tr><th>{t('账号')}</th><th>{t('姓名')}</th><th>{t('角色')}</th><th>{t('所属单位')}</th><th>{t('状态')}</th><th>{t('创建时间')}</th><th>{t('操作')}</th></tr></thead>
          <tbody>{d.users.map((u) => (
            <tr key={u.id} class={u.active === false ? 'inactive' : ''}>
              <td data-th={t('账号')}>{u.login}</td><td data-th={t('姓名')}>{u.name}</td><td data-th={t('角色')}>{label(ROLES, u.role)}</td>
              <td data-th={t('所属单位')}>{u.unit ? u.unit.name : ''}</td><td data-th={t('状态')}>{u.active === false ? t('已停用') : t('正常')}</td>
              <td data-th={t('创建时间')}>{fmtTime(u.created_at)}</td>
              <td data-th={t('操作')}><button type="button" class="btn small" onClick={() => setEditing(u)}>{t('编辑')}</button> <button type="button" class="btn small" onClick={() => toggle(u)}>{u.active === false ? t('启用') : t('停用')}</button></td>
            </tr>))}
          </tbody>
        </table>
        <Pager page={page} perPage={20} total={d.total} onPage={setPage} />
      </>}</Async>
      {editing && <UserForm user={editing === 'new' ? null : editing} onClose={() => setEditing(null)} onSaved={(u) => { setEditing(null); setFlash(t('已保存用户 {l}', { l: u.login || '' })); }} />}
    </div>
  );
}

// ---- units ---------------------------------------------------------------
const CHILD_KIND = { centre: ['district'], district: ['street', 'department', 'enterprise'], street: ['community'] };

function UnitForm({ parent, unit, onClose, onSaved }) {
  const editing = !!unit;
  const kinds = parent ? CHILD_KIND[parent.kind] || [] : [];
  const f = useForm(editing ? { name: unit.name, sector: unit.sector || '' } : { code: '', name: '', kind: kinds[0] || '', sector: '' });
  const submit = (e) => {
    e.preventDefault();
    f.submit(async (v) => {
      if (editing) {
        const b = { name: v.name };
        if ((unit.kind === 'department' || unit.kind === 'enterprise') && v.sector !== (unit.sector || '')) b.sector = v.sector;
        onSaved(await api.patch('/units/' + unit.code, b));
      } else {
        const b = { code: v.code.trim(), name: v.name, kind: v.kind, parent: parent.code };
        if (v.sector) b.sector = v.sector;
        onSaved(await api.post('/units', b));
      }
    });
  };
  const sectorShown = editing ? ['department', 'enterprise'].includes(unit.kind) : ['department', 'enterprise'].includes(f.values.kind);
  return (
    <Dialog title={editing ? t('修改单位 {n}', { n: unit.name }) : t('在 {p} 下新增单位', { p: parent.name })} onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        {!editing && <Field label={t('单位编码') + ' *'} error={f.errorFor('code')} id="un-code" wide hint={t('区 6 位、街乡 9 位、社区 12 位，以上级编码开头')}><input id="un-code" inputMode="numeric" {...f.bind('code')} placeholder={parent.code} /></Field>}
        <Field label={t('单位名称') + ' *'} error={f.errorFor('name')} id="un-name" wide><input id="un-name" {...f.bind('name')} /></Field>
        {!editing && <Field label={t('单位类别') + ' *'} error={f.errorFor('kind')} id="un-kind" wide><Select id="un-kind" options={kinds.map((k) => [k, label(KINDS, k)])} {...f.bind('kind')} /></Field>}
        {sectorShown && <Field label={t('职责领域标识（sector）')} error={f.errorFor('sector')} id="un-sector" wide hint={t('如 chengguan、zhujian、water，与分类的默认承办对应')}><input id="un-sector" {...f.bind('sector')} /></Field>}
        <GeneralError form={f} />
        <div class="form-actions"><button type="button" class="btn" onClick={onClose}>{t('取消')}</button><button class="btn primary" type="submit" disabled={f.busy}>{t('保存')}</button></div>
      </form>
    </Dialog>
  );
}

export function AdminUnits() {
  const [sel, setSel] = useState(null);
  const [dlg, setDlg] = useState(null);
  const [flash, setFlash] = useState(null);
  const [ver, setVer] = useState(0);
  const detail = useAsync(() => (sel ? api.get('/units/' + sel.code) : Promise.resolve(null)), [sel && sel.code, ver]);
  return (
    <div class="page">
      <h1>{t('单位管理')}</h1>
      <Flash msg={flash} />
      <div class="two-col">
        <section class="card"><h2>{t('单位树')}</h2><UnitPicker key={ver} value={sel && sel.code} onChange={setSel} /></section>
        <section class="card">
          <h2>{t('所选单位')}</h2>
          {!sel ? <p class="muted">{t('在左侧选择一个单位')}</p> : <Async state={detail}>{(u) => u && <>
            <dl class="facts">
              <div><dt>{t('名称')}</dt><dd>{u.name}</dd></div><div><dt>{t('编码')}</dt><dd>{u.code}</dd></div>
              <div><dt>{t('类别')}</dt><dd>{label(KINDS, u.kind)}</dd></div><div><dt>{t('上级')}</dt><dd>{u.parent || '—'}</dd></div>
              {u.sector && <div><dt>{t('职责领域')}</dt><dd>{u.sector}</dd></div>}
            </dl>
            <div class="actions">
              <button type="button" class="btn" onClick={() => setDlg({ unit: u })}>{t('改名')}</button>
              {CHILD_KIND[u.kind] && <button type="button" class="btn primary" onClick={() => setDlg({ parent: u })}>{t('新增下级单位')}</button>}
            </div>
          </>}</Async>}
        </section>
      </div>
      {dlg && <UnitForm {...dlg} onClose={() => setDlg(null)} onSaved={(u) => { setDlg(null); setFlash(t('已保存单位 {n}', { n: u.name || '' })); setVer(ver + 1); }} />}
    </div>
  );
}

// ---- categories ------------------------------------------------------------
function handlingLabel(h) { return h === 'street' ? label(HANDLING, 'street') : h && h.startsWith('sector:') ? t('职能部门') + '：' + h.slice(7) : h; }

function CategoryForm({ cat, onClose, onSaved }) {
  const editing = !!cat;
  const f = useForm(editing ? { tier: cat.tier, handling: cat.handling } : { path: '', tier: 'general', handling: 'street' });
  const submit = (e) => {
    e.preventDefault();
    f.submit(async (v) => {
      if (editing) onSaved(await api.patch('/categories/' + cat.id, { tier: v.tier, handling: v.handling }));
      else onSaved(await api.post('/categories', { path: v.path.trim(), tier: v.tier, handling: v.handling.trim() }));
    });
  };
  return (
    <Dialog title={editing ? cat.path.replaceAll('->', ' › ') : t('新增分类')} onClose={onClose}>
      <form class="form" onSubmit={submit} noValidate>
        {!editing && <Field label={t('分类路径') + ' *'} error={f.errorFor('path')} id="cat-path" wide hint={t('一级->二级->三级')}><input id="cat-path" {...f.bind('path')} placeholder="城市管理->市容环境->占道经营" /></Field>}
        <Field label={t('时限等级')} error={f.errorFor('tier')} id="cat-tier" wide><Select id="cat-tier" options={options(TIERS)} {...f.bind('tier')} /></Field>
        <Field label={t('默认承办')} error={f.errorFor('handling')} id="cat-handling" wide hint={t('street＝属地街乡；sector:KEY＝该区对应职能部门或企业，如 sector:water')}><input id="cat-handling" {...f.bind('handling')} /></Field>
        <GeneralError form={f} />
        <div class="form-actions"><button type="button" class="btn" onClick={onClose}>{t('取消')}</button><button class="btn primary" type="submit" disabled={f.busy}>{t('保存')}</button></div>
      </form>
    </Dialog>
  );
}

export function AdminCategories() {
  const [q, setQ] = useState('');
  const [page, setPage] = useState(1);
  const [dlg, setDlg] = useState(null);
  const [flash, setFlash] = useState(null);
  const st = useAsync(() => api.get('/categories').then((r) => r.categories), [flash]);
  return (
    <div class="page">
      <div class="page-head"><h1>{t('诉求分类')}</h1><button type="button" class="btn primary" onClick={() => setDlg({})}>{t('新增分类')}</button></div>
      <div class="card form filters"><Field label={t('搜索')} id="cat-q"><input id="cat-q" type="search" value={q} onInput={(e) => { setQ(e.currentTarget.value); setPage(1); }} placeholder={t('如：供暖')} /></Field></div>
      <Flash msg={flash} />
      <Async state={st}>{(all) => {
        const list = all.filter((c) => !q || c.path.includes(q.trim()));
        const rows = list.slice((page - 1) * 20, page * 20);
        return <>
          <table class="list">
            <thead><tr><th>{t('编号')}</th><th>{t('分类')}</th><th>{t('时限等级')}</th><th>{t('默认承办')}</th><th>{t('操作')}</th></tr></thead>
            <tbody>{rows.map((c) => (
              <tr key={c.id}><td data-th={t('编号')}>{c.id}</td><td data-th={t('分类')}>{c.path.replaceAll('->', ' › ')}</td><td data-th={t('时限等级')}>{label(TIERS, c.tier)}</td>
                <td data-th={t('默认承办')}>{handlingLabel(c.handling)}</td><td data-th={t('操作')}><button type="button" class="btn small" onClick={() => setDlg({ cat: c })}>{t('修改')}</button></td></tr>))}
            </tbody>
          </table>
          <Pager page={page} perPage={20} total={list.length} onPage={setPage} />
        </>;
      }}</Async>
      {dlg && <CategoryForm {...dlg} onClose={() => setDlg(null)} onSaved={(c) => { setDlg(null); setFlash(t('已保存分类 {p}', { p: c && c.path ? c.path.replaceAll('->', ' › ') : '' })); }} />}
    </div>
  );
}

// ---- holidays ----------------------------------------------------------------
export function AdminHolidays() {
  const [year, setYear] = useState(new Date(serverNow() + 8 * 3600e3).getUTCFullYear());
  const [flash, setFlash] = useState(null);
  const [rowErr, setRowErr] = useState(null);
  const st = useAsync(() => api.get('/holidays', { year }), [year, flash]);
  const f = useForm({ date: '', kind: 'off', name: '' });
  const save = (e) => {
    e.preventDefault();
    f.submit(async (v) => {
      const r = await api.put('/holidays/' + v.date, { kind: v.kind, name: v.name });
      setFlash(t('已保存 {d}', { d: v.date }) + (r && r.note ? '。' + r.note : ''));
      f.setValues({ date: '', kind: 'off', name: '' });
    });
  };
  const del = async (d) => {
    setRowErr(null);
    if (!window.confirm(t('删除 {d}？', { d: d.date }))) return;
    try { const r = await api.del('/holidays/' + d.date); setFlash(t('已删除 {d}', { d: d.date }) + (r && r.note ? '。' + r.note : '')); } catch (e) { setRowErr(e.message); }
  };
  const kinds = [['off', t('放假')], ['work', t('调休上班')]];
  return (
    <div class="page">
      <div class="page-head"><h1>{t('节假日')}</h1>
        <div class="year"><button type="button" class="btn small" onClick={() => setYear(year - 1)}>‹</button> <b>{year}</b> <button type="button" class="btn small" onClick={() => setYear(year + 1)}>›</button></div>
      </div>
      <p class="muted">{t('放假日不计工作日；周末调休上班的日子计为工作日。以工作日计的时限按此日历计算。')}</p>
      <form class="card form filters" onSubmit={save} noValidate>
        <Field label={t('日期') + ' *'} error={f.errorFor('date')} id="h-date"><input id="h-date" type="date" {...f.bind('date')} /></Field>
        <Field label={t('类别')} error={f.errorFor('kind')} id="h-kind"><Select id="h-kind" options={kinds} {...f.bind('kind')} /></Field>
        <Field label={t('名称')} error={f.errorFor('name')} id="h-name"><input id="h-name" {...f.bind('name')} placeholder={t('如：春节')} /></Field>
        <GeneralError form={f} />
        <div class="form-actions"><button class="btn primary" type="submit" disabled={f.busy || !f.values.date}>{t('保存')}</button></div>
      </form>
      <Flash msg={flash} />
      {rowErr && <div class="alert error" role="alert">{rowErr}</div>}
      <Async state={st}>{(d) => (
        <table class="list">
          <thead><tr><th>{t('日期')}</th><th>{t('类别')}</th><th>{t('名称')}</th><th>{t('操作')}</th></tr></thead>
          <tbody>{(d.days || []).map((x) => (
            <tr key={x.date}><td data-th={t('日期')}>{x.date}</td><td data-th={t('类别')}>{x.kind === 'work' ? t('调休上班') : t('放假')}</td><td data-th={t('名称')}>{x.name}</td>
              <td data-th={t('操作')}><button type="button" class="btn small" onClick={() => f.setValues({ date: x.date, kind: x.kind, name: x.name || '' })}>{t('修改')}</button> <button type="button" class="btn small danger" onClick={() => del(x)}>{t('删除')}</button></td></tr>))}
          </tbody>
        </table>
      )}</Async>
    </div>
  );
}
