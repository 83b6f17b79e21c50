// 考核排名: the month's rankings per pool (table and charts), the assessed and
// full-scope figures side by side, a unit's trend over six months, downloads.
import { useState, useMemo } from 'preact/hooks';
import { api, url, serverNow } from '../api.js';
import { t } from '../i18n.js';
import { pct } from '../labels.js';
import { useAsync, Async, Field, Select, Pager } from '../components/ui.jsx';
import { Chart } from '../components/Chart.jsx';

const POOLS = [['street', '街道（乡镇）'], ['department', '职能部门'], ['enterprise', '公共服务企业'], ['district', '区']];

function thisMonth() {
  const b = new Date(serverNow() + 8 * 3600e3);
  return `${b.getUTCFullYear()}-${String(b.getUTCMonth() + 1).padStart(2, '0')}`;
}
function monthsBack(period, n) {
  let [y, m] = period.split('-').map(Number);
  const out = [];
  for (let i = 0; i < n; i++) { out.unshift(`${y}-${String(m).padStart(2, '0')}`); m--; if (!m) { m = 12; y--; } }
  return out;
}
const short = (s) => s.replace(/^北京市/, '').replace(/^石景山区/, '');

function rankOption(rows) {
  return {
    tooltip: { trigger: 'axis' },
    grid: { left: 8, right: 44, top: 24, bottom: 8, containLabel: true },
    xAxis: { type: 'value', max: 100, name: t('得分') },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => short(r.unit.name)), axisLabel: { width: 110, overflow: 'truncate' } },
    series: [{ type: 'bar', barMaxWidth: 26, name: t('最终得分'), data: rows.map((r) => r.final_score), itemStyle: { color: '#1d4ed8' }, label: { show: true, position: 'right' } }],
  };
}
function ratesOption(rows) {
  const s = (name, k, color) => ({ type: 'bar', barMaxWidth: 14, name, data: rows.map((r) => +(r[k] * 100).toFixed(2)), itemStyle: { color } });
  return {
    tooltip: { trigger: 'axis', valueFormatter: (v) => v + '%' },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => short(r.unit.name)), axisLabel: { width: 110, overflow: 'truncate' } },
    series: [s(t('响应率'), 'response_rate', '#0891b2'), s(t('解决率'), 'resolution_rate', '#16a34a'), s(t('满意率'), 'satisfaction_rate', '#ea580c')],
  };
}

function Trend({ unit, pool, parent, period }) {
  const periods = monthsBack(period, 6);
  const st = useAsync(() => Promise.all(periods.map((p) => api.get('/reports/rates', { period: p, pool, parent }).then(
    (d) => d.rows.find((r) => r.unit.code === unit.code) || null))), [unit.code, pool, parent, period]);
  const option = useMemo(() => st.data && {
    tooltip: { trigger: 'axis' }, legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: periods },
    yAxis: { type: 'value', max: 100 },
    series: [
      { type: 'line', name: t('最终得分'), data: st.data.map((r) => (r ? r.final_score : null)) },
      { type: 'line', name: t('响应率') + '%', data: st.data.map((r) => (r ? +(r.response_rate * 100).toFixed(2) : null)) },
      { type: 'line', name: t('解决率') + '%', data: st.data.map((r) => (r ? +(r.resolution_rate * 100).toFixed(2) : null)) },
      { type: 'line', name: t('满意率') + '%', data: st.data.map((r) => (r ? +(r.satisfaction_rate * 100).toFixed(2) : null)) },
    ],
  }, [st.data]);
  return (
    <section class="card">
      <h2>{t('{u} 近六个月走势', { u: unit.name })}</h2>
      <Async state={st}>{() => <Chart option={option} height={280} label={t('近六个月走势')} testid="trend-chart" />}</Async>
    </section>
  );
}

export function Assessor({ user }) {
  const central = user.unit.kind === 'centre';
  const [period, setPeriod] = useState(thisMonth());
  const [pool, setPool] = useState(['department', 'enterprise'].includes(user.unit.kind) ? user.unit.kind : 'street');
  const [parent, setParent] = useState('');
  const [tpage, setTpage] = useState(1);
  const [unit, setUnit] = useState(null);
  const districts = useAsync(() => (central ? api.get('/units', { kind: 'district' }).then((r) => r.units) : Promise.resolve([])), []);
  const params = { period, pool, parent: parent || undefined };
  const st = useAsync(() => { setTpage(1); return api.get('/reports/rates', params); }, [period, pool, parent]);
  const ranked = useMemo(() => (st.data ? st.data.rows.filter((r) => r.ranked).slice(0, 30) : []), [st.data]);
  const opt1 = useMemo(() => rankOption(ranked), [ranked]);
  const opt2 = useMemo(() => ratesOption(ranked), [ranked]);
  const h = Math.max(160, ranked.length * 28 + 60);
  return (
    <div class="page">
      <div class="page-head"><h1>{t('考核排名')}</h1></div>
      <form class="card form filters" onSubmit={(e) => e.preventDefault()}>
        <Field label={t('考核周期')} id="as-period"><input id="as-period" type="month" value={period} onInput={(e) => e.currentTarget.value && setPeriod(e.currentTarget.value)} /></Field>
        <Field label={t('考核对象')} id="as-pool"><Select id="as-pool" options={POOLS.map(([k, l]) => [k, t(l)])} value={pool} onInput={(e) => { setPool(e.currentTarget.value); setUnit(null); }} /></Field>
        {central && <Field label={t('范围')} id="as-parent"><Select id="as-parent" options={(districts.data || []).map((u) => [u.code, u.name])} empty={t('全市')} value={parent} onInput={(e) => { setParent(e.currentTarget.value); setUnit(null); }} /></Field>}
        <div class="downloads">
          <a class="btn" href={url('/reports/rates', { ...params, format: 'csv' })} download>{t('下载 CSV')}</a>
          <a class="btn" href={url('/reports/rates', { ...params, format: 'xlsx' })} download>{t('下载 Excel')}</a>
        </div>
      </form>
      <Async state={st}>{(d) => <>
        <p class="muted small">{t('周期 {a} 至 {b}；权重：响应率 {r}、解决率 {s}、满意率 {m}；基本满意折算 {k}；有效回访不少于 {n} 件参与排名。', {
          a: d.from.slice(0, 10), b: d.to.slice(0, 10), r: d.config.weights.response, s: d.config.weights.resolution, m: d.config.weights.satisfaction, k: d.config.basic_coefficient, n: d.config.min_callbacks })}</p>
        {ranked.length ? <div class="chart-grid">
          <section class="card"><h2>{t('综合得分排名')}</h2><Chart option={opt1} height={h} label={t('综合得分排名') + '：' + ranked.map((r) => r.unit.name).join('、')} testid="rank-score" /></section>
          <section class="card"><h2>{t('响应率、解决率、满意率')}</h2><Chart option={opt2} height={h} label={t('三率') + '：' + ranked.map((r) => r.unit.name).join('、')} testid="rank-rates" /></section>
        </div> : <div class="alert">{t('本期暂无参与排名的单位（没有有效回访）。')}</div>}
        <section class="card">
          <h2>{t('排名明细')}<span class="muted small"> {t('点击单位查看走势')}</span></h2>
          <div class="table-scroll">
            <table class="report">
              <thead>
                <tr><th rowSpan={2}>{t('排名')}</th><th rowSpan={2}>{t('单位')}</th><th colSpan={5}>{t('考核口径')}</th><th colSpan={5}>{t('全口径')}</th><th rowSpan={2}>{t('吹哨得分')}</th><th rowSpan={2}>{t('最终得分')}</th></tr>
                <tr><th>{t('有效回访')}</th><th>{t('响应率')}</th><th>{t('解决率')}</th><th>{t('满意率')}</th><th>{t('得分')}</th><th>{t('有效回访')}</th><th>{t('响应率')}</th><th>{t('解决率')}</th><th>{t('满意率')}</th><th>{t('得分')}</th></tr>
              </thead>
              <tbody>{d.rows.slice((tpage - 1) * 50, tpage * 50).map((r) => (
                <tr key={r.unit.code} class={(r.ranked ? '' : 'unranked') + (unit && unit.code === r.unit.code ? ' selected' : '')}>
                  <td>{r.ranked ? r.rank : <span class="muted small">{t('不参与排名')}</span>}</td>
                  <td><button type="button" class="link" onClick={() => setUnit(r.unit)}>{r.unit.name}</button></td>
                  <td>{r.valid_callbacks}</td><td>{pct(r.response_rate)}</td><td>{pct(r.resolution_rate)}</td><td>{pct(r.satisfaction_rate)}</td><td>{r.score.toFixed(2)}</td>
                  <td>{r.full_scope.valid_callbacks}</td><td>{pct(r.full_scope.response_rate)}</td><td>{pct(r.full_scope.resolution_rate)}</td><td>{pct(r.full_scope.satisfaction_rate)}</td><td>{r.full_scope.score.toFixed(2)}</td>
                  <td>{r.whistle ? r.whistle.score.toFixed(2) : '—'}</td><td><b>{r.final_score.toFixed(2)}</b></td>
                </tr>))}
              </tbody>
            </table>
          </div>
          {d.rows.length > 50 && <Pager page={tpage} perPage={50} total={d.rows.length} onPage={setTpage} />}
        </section>
      </>}</Async>
      {unit && <Trend unit={unit} pool={pool} parent={parent || undefined} period={period} />}
    </div>
  );
}
