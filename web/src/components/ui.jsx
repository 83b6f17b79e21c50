// Small building blocks: form fields that show the server's error next to the
// input it names, a pager, tabs, a dialog, a live countdown.
import { useState, useEffect, useRef, useCallback } from 'preact/hooks';
import { t } from '../i18n.js';
import { serverNow } from '../api.js';
import { CLOCKS, label, fmtTime } from '../labels.js';

// A form's state: values kept across errors, the error split into the one
// field it names (when that field is on the form) or a general message.
export function useForm(initial, fieldNames) {
  const [values, setValues] = useState(initial);
  const [err, setErr] = useState(null);
  const [busy, setBusy] = useState(false);
  const set = (name, v) => setValues((old) => ({ ...old, [name]: v }));
  const bind = (name) => ({
    name,
    value: values[name] ?? '',
    onInput: (e) => set(name, e.currentTarget.type === 'checkbox' ? e.currentTarget.checked : e.currentTarget.value),
  });
  const names = fieldNames || Object.keys(initial);
  const fieldOf = (f) => {
    if (!f) return null;
    for (const n of names) if (f === n || f.startsWith(n + '.') || f.startsWith(n + '[')) return n;
    return null;
  };
  const errorFor = (name) => (err && fieldOf(err.field) === name ? err.message : null);
  const general = err && !fieldOf(err.field) ? err.message : null;
  async function submit(fn) {
    setBusy(true);
    setErr(null);
    try { return await fn(values); } catch (e) { setErr(e); return undefined; } finally { setBusy(false); }
  }
  return { values, setValues, set, bind, err, setErr, errorFor, general, busy, submit };
}

export function Field({ label: lab, error, hint, children, wide, id }) {
  return (
    <div class={'field' + (wide ? ' wide' : '') + (error ? ' has-error' : '')}>
      {lab && <label for={id}>{lab}</label>}
      {children}
      {hint && !error && <div class="hint">{hint}</div>}
      {error && <div class="field-error" role="alert">{error}</div>}
    </div>
  );
}

export function Select({ options, value, onInput, name, empty, id, disabled }) {
  return (
    <select name={name} id={id} value={value ?? ''} onInput={onInput} onChange={onInput} disabled={disabled}>
      {empty !== undefined && <option value="">{empty}</option>}
      {options.map(([v, l]) => <option value={v} key={v}>{l}</option>)}
    </select>
  );
}

export function GeneralError({ form, error }) {
  const msg = form ? form.general : error && (error.message || String(error));
  if (!msg) return null;
  return <div class="alert error" role="alert">{msg}</div>;
}

export function Loading() { return <p class="muted">{t('正在加载…')}</p>; }

export function Pager({ page, perPage, total, onPage }) {
  const pages = Math.max(1, Math.ceil((total || 0) / (perPage || 20)));
  return (
    <div class="pager">
      <span>{t('共 {n} 条', { n: total || 0 })}</span>
      <button type="button" class="btn small" disabled={page <= 1} onClick={() => onPage(page - 1)}>{t('上一页')}</button>
      <span>{t('第 {p} / {n} 页', { p: page, n: pages })}</span>
      <button type="button" class="btn small" disabled={page >= pages} onClick={() => onPage(page + 1)}>{t('下一页')}</button>
    </div>
  );
}

export function Tabs({ tabs, value, onChange }) {
  return (
    <div class="tabs" role="tablist">
      {tabs.map(([k, l, n]) => (
        <button type="button" role="tab" aria-selected={value === k} class={'tab' + (value === k ? ' active' : '')} onClick={() => onChange(k)} key={k}>
          {l}{n !== undefined && n !== null ? <span class="badge">{n}</span> : null}
        </button>
      ))}
    </div>
  );
}

export function Dialog({ title, onClose, children }) {
  const ref = useRef();
  useEffect(() => {
    const k = (e) => { if (e.key === 'Escape') onClose(); };
    window.addEventListener('keydown', k);
    const f = ref.current && ref.current.querySelector('input,textarea,select');
    if (f) f.focus();
    return () => window.removeEventListener('keydown', k);
  }, []);
  return (
    <div class="overlay" onClick={(e) => { if (e.target === e.currentTarget) onClose(); }}>
      <div class="dialog" role="dialog" aria-modal="true" aria-label={title} ref={ref}>
        <div class="dialog-head"><h2>{title}</h2><button type="button" class="btn plain" aria-label={t('关闭')} onClick={onClose}>✕</button></div>
        {children}
      </div>
    </div>
  );
}

// One clock for every countdown on the page: the server's time (api.js serverNow).
let tickers = new Set();
let timer = null;
export function useNow(periodMs = 1000) {
  const [now, setNow] = useState(serverNow());
  useEffect(() => {
    const f = () => setNow(serverNow());
    tickers.add(f);
    if (!timer) timer = setInterval(() => tickers.forEach((g) => g()), periodMs);
    return () => { tickers.delete(f); if (!tickers.size) { clearInterval(timer); timer = null; } };
  }, []);
  return now;
}

// The nearest running deadline of a case (not yet met).
export function nearestDeadline(c) {
  let best = null;
  for (const [k, d] of Object.entries((c && c.deadlines) || {})) {
    if (!d || d.done_at || d.state === 'met' || d.state === 'met_late') continue;
    if (!best || new Date(d.due) < new Date(best.due)) best = { clock: k, ...d };
  }
  return best;
}

export function remaining(ms) {
  const neg = ms < 0;
  let s = Math.floor(Math.abs(ms) / 1000);
  const d = Math.floor(s / 86400); s -= d * 86400;
  const h = Math.floor(s / 3600); s -= h * 3600;
  const m = Math.floor(s / 60); s -= m * 60;
  const p = (n) => String(n).padStart(2, '0');
  const body = (d ? t('{d}天', { d }) + ' ' : '') + `${p(h)}:${p(m)}:${p(s)}`;
  return { neg, body };
}

// A live countdown to the deadline, coloured fine / warning / overdue.
export function Countdown({ deadline, showClock = true }) {
  const now = useNow();
  if (!deadline) return <span class="cd none">—</span>;
  const due = new Date(deadline.due).getTime();
  const warn = deadline.warn_at ? new Date(deadline.warn_at).getTime() : due;
  const state = now >= due || deadline.state === 'overdue' ? 'overdue' : now >= warn || deadline.state === 'warning' ? 'warning' : 'fine';
  const r = remaining(due - now);
  const what = showClock ? label(CLOCKS, deadline.clock) : '';
  return (
    <span class={'cd ' + state} title={t('时限') + ' ' + fmtTime(deadline.due)} data-state={state}>
      {what && <span class="cd-clock">{what}</span>}
      {r.neg ? t('已超期 {x}', { x: r.body }) : t('剩余 {x}', { x: r.body })}
    </span>
  );
}

export function useAsync(fn, deps) {
  const [state, setState] = useState({ loading: true, data: null, error: null });
  const seq = useRef(0);
  const run = useCallback(() => {
    const my = ++seq.current;
    setState((s) => ({ ...s, loading: true, error: null }));
    Promise.resolve().then(fn).then(
      (data) => { if (my === seq.current) setState({ loading: false, data, error: null }); },
      (error) => { if (my === seq.current) setState({ loading: false, data: null, error }); });
  }, deps);
  useEffect(() => { run(); }, [run]);
  return { ...state, reload: run };
}

export function Async({ state, children }) {
  if (state.error) return <div class="alert error" role="alert">{state.error.message}</div>;
  if (state.loading && !state.data) return <Loading />;
  return children(state.data);
}
