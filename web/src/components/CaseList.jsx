// Cases as a table (a stack of cards on a phone), each with a live countdown
// to its nearest running deadline.
import { t } from '../i18n.js';
import { STATUS, TYPES, label, fmtTime } from '../labels.js';
import { Countdown, nearestDeadline } from './ui.jsx';

export function CaseList({ cases, extra }) {
  if (!cases || !cases.length) return <p class="muted empty">{t('暂无数据')}</p>;
  return (
    <table class="cases">
      <thead><tr>
        <th>{t('工单编号')}</th><th>{t('标题')}</th><th>{t('状态')}</th><th>{t('承办单位')}</th><th>{t('属地')}</th><th>{t('受理时间')}</th><th>{t('最近时限')}</th>
        {extra && <th>{extra.title}</th>}
      </tr></thead>
      <tbody>
        {cases.map((c) => {
          const place = c.place ? [c.place.district, c.place.street, c.place.community].filter(Boolean).map((u) => u.name).join(' ') : '';
          return (
            <tr key={c.id} class={c.overdue ? 'row-overdue' : ''} data-case={c.id}>
              <td data-th={t('工单编号')}><a href={'#/case/' + c.id}>#{c.id}</a></td>
              <td data-th={t('标题')} class="title-cell"><a href={'#/case/' + c.id}>{c.title}</a> <span class="tag">{label(TYPES, c.type)}</span></td>
              <td data-th={t('状态')}><span class={'status s-' + c.status}>{label(STATUS, c.status) || c.status_label}</span></td>
              <td data-th={t('承办单位')}>{c.lead_unit ? c.lead_unit.name : '—'}</td>
              <td data-th={t('属地')}>{place || '—'}</td>
              <td data-th={t('受理时间')}>{fmtTime(c.created_at)}</td>
              <td data-th={t('最近时限')}><Countdown deadline={nearestDeadline(c)} /></td>
              {extra && <td data-th={extra.title}>{extra.render(c)}</td>}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
