// Names the user reads: states, types, roles, actions, and one plain sentence
// per event of a case's history.
import { t, getLang } from './i18n.js';

const pick = (zh, en) => (getLang() === 'en' ? en : zh);

export const STATUS = {
  received: ['已受理', 'Received'], answered: ['直接答复', 'Answered'], referred: ['不予派单', 'Not dispatched'],
  dispatched: ['已派单', 'Dispatched'], accepted: ['已签收', 'Signed'], in_progress: ['办理中', 'In progress'],
  returned: ['退单待审', 'Disputed'], replied: ['已反馈', 'Replied'], parked: ['挂账', 'Parked'],
  closed: ['已办结', 'Closed'], merged: ['已合并', 'Merged'],
};
export const TYPES = { consultation: ['咨询', 'Consultation'], help: ['求助', 'Help'], complaint: ['投诉', 'Complaint'], report: ['举报', 'Report'], suggestion: ['建议', 'Suggestion'] };
export const CHANNELS = { phone: ['电话', 'Phone'], web: ['网站', 'Web'], app: ['App', 'App'], miniprogram: ['小程序', 'Mini program'], wechat: ['微信', 'WeChat'], email: ['电子邮件', 'E-mail'], other: ['其他', 'Other'] };
export const TIERS = { emergency: ['紧急（2 小时）', 'Emergency (2 h)'], utilities: ['水电气热（24 小时）', 'Utilities (24 h)'], general: ['一般（7 天）', 'General (7 days)'], complex: ['复杂（15 天）', 'Complex (15 days)'] };
export const ROLES = { agent: ['受理员', 'Agent'], dispatcher: ['派单员', 'Dispatcher'], handler: ['承办人', 'Handler'], head: ['单位负责人', 'Unit head'], supervisor: ['督办员', 'Supervisor'], assessor: ['考核员', 'Assessor'], admin: ['系统管理员', 'Administrator'] };
export const KINDS = { centre: ['热线中心', 'Centre'], district: ['区', 'District'], street: ['街道（乡镇）', 'Street'], community: ['社区（村）', 'Community'], department: ['职能部门', 'Department'], enterprise: ['公共服务企业', 'Enterprise'] };
export const OUTCOMES = { emergency: ['紧急事项，已转 110/119/120/122', 'Emergency, passed to 110/119/120/122'], other_channel: ['属诉讼、仲裁、信访等渠道', 'Litigation, arbitration or petition'], repeat: ['重复诉求，已告知进展', 'Repeat, told the progress'], secret: ['涉及秘密或隐私', 'Secrets or privacy'], out_of_remit: ['不属于公共管理服务范围', 'Outside any public remit'], unlawful: ['违反法律或公序良俗', 'Unlawful'] };
export const CAUSES = { territory: ['属地不符', 'Not our territory'], ownership: ['权属不清', 'Ownership unclear'], overlap: ['职能交叉', 'Overlapping remit'], other: ['其他', 'Other'] };
export const METHODS = { phone: ['电话', 'Phone'], sms: ['短信', 'SMS'], visit: ['上门', 'Visit'], other: ['其他', 'Other'] };
export const SATISFACTION = { satisfied: ['满意', 'Satisfied'], basic: ['基本满意', 'Basically satisfied'], unsatisfied: ['不满意', 'Unsatisfied'] };
export const SCOPES = { all: ['全部考核', 'All rates'], response_only: ['仅考核响应率', 'Response rate only'], excluded: ['剔除', 'Excluded'] };
export const CLOCKS = { dispatch: ['派单', 'Dispatch'], sign: ['签收', 'Sign'], contact: ['联系', 'Contact'], feedback: ['反馈', 'Feedback'] };
export const HANDLING = { street: ['属地街乡', 'The street of the place'] };

export function label(table, key) {
  if (key === null || key === undefined || key === '') return '';
  const v = table[key];
  return v ? pick(v[0], v[1]) : String(key);
}
export function options(table) { return Object.keys(table).map((k) => [k, label(table, k)]); }

// The button label of each action.
export const ACTIONS = {
  answer: ['直接答复', 'Answer'], refer: ['不予派单', 'Refer'], dispatch: ['派单', 'Dispatch'], sign: ['签收', 'Sign'],
  contact: ['联系诉求人', 'Contact'], note: ['备注', 'Note'], reply: ['反馈办理结果', 'Reply'], close: ['办结', 'Close'],
  whistle: ['吹哨', 'Whistle'], report: ['报到', 'Report'], finish: ['任务办结', 'Finish task'], rate: ['评价报到单位', 'Rate'],
  return: ['退单', 'Return'], decide_return: ['退单审核', 'Decide return'], extend: ['申请延期', 'Extension'],
  decide_extension: ['延期审核', 'Decide extension'], supervise: ['督办', 'Supervise'], answer_supervision: ['回复督办', 'Answer supervision'],
  escalate: ['提级', 'Escalate'], subdispatch: ['下派社区', 'Sub-dispatch'], park: ['挂账', 'Park'], unpark: ['解除挂账', 'Unpark'],
  merge: ['合并工单', 'Merge'], link_repeat: ['关联重复诉求', 'Link repeat'], callback: ['回访', 'Callback'], reopen: ['重办', 'Reopen'],
  apply_exclusion: ['申请剔除', 'Apply exclusion'], decide_exclusion: ['剔除审核', 'Decide exclusion'], locate: ['确定属地', 'Set place'],
  redirect: ['改派', 'Redirect'], reveal: ['查看联系方式', 'Reveal contact'], create: ['受理登记', 'Recorded'],
  warning: ['临期预警', 'Deadline warning'], overdue: ['超期', 'Overdue'],
};
export const actionLabel = (a) => label(ACTIONS, a);

// Beijing time, as a civil servant writes it: 2026-03-02 09:00
export function fmtTime(iso, withSeconds) {
  if (!iso) return '';
  // ISO strings (every time the API gives, event payloads' due and until too);
  // Unix seconds (numbers, or digits) from servers before event times were ISO
  const d = typeof iso === 'number' || /^\d+$/.test(String(iso)) ? new Date(Number(iso) * 1000) : new Date(iso);
  if (isNaN(d)) return String(iso);
  const b = new Date(d.getTime() + 8 * 3600 * 1000);
  const p = (n) => String(n).padStart(2, '0');
  let s = `${b.getUTCFullYear()}-${p(b.getUTCMonth() + 1)}-${p(b.getUTCDate())} ${p(b.getUTCHours())}:${p(b.getUTCMinutes())}`;
  if (withSeconds) s += ':' + p(b.getUTCSeconds());
  return s;
}
export const pct = (x) => (x === null || x === undefined ? '—' : (x * 100).toFixed(2) + '%');

// One sentence per event. `name(code)` gives a unit's name (already resolved).
export function eventSentence(ev, name) {
  const p = ev.payload || {};
  const en = getLang() === 'en';
  const units = (list) => (list || []).map(name).join(en ? ', ' : '、');
  const yes = (b) => (b ? t('是') : t('否'));
  switch (ev.action) {
    case 'create': return en ? `Recorded: ${label(TYPES, p.type)} by ${label(CHANNELS, p.channel)}` : `受理登记：${label(TYPES, p.type)}，来源${label(CHANNELS, p.channel)}`;
    case 'locate': {
      const where = [p.district, p.street, p.community].filter(Boolean).map(name).join(' ');
      const how = p.method === 'manual' ? pick('人工确定', 'set by hand') : p.method === 'address' ? pick('按地址', 'from the address') : p.method === 'point' || p.method === 'location' ? pick('按坐标', 'from the coordinates') : p.method || '';
      return en ? `Place ${how}: ${where || 'not found'}` + (p.evidence ? ` (${p.evidence})` : '')
        : `确定属地（${how}）：${where || '未能确定'}` + (p.evidence ? `。${p.evidence}` : '') + (p.needs_decision ? '（需人工判断）' : '');
    }
    case 'dispatch': return en ? `Dispatched to ${name(p.unit)}` + (p.copies && p.copies.length ? `, copy to ${units(p.copies)}` : '') + (p.feedback_due ? `; feedback due ${fmtTime(p.feedback_due)}` : '')
      : `派单至${name(p.unit)}` + (p.copies && p.copies.length ? `，抄送${units(p.copies)}` : '') + (p.feedback_due ? `，反馈时限 ${fmtTime(p.feedback_due)}` : '');
    case 'redirect': return en ? `Redirected to ${name(p.unit)}` : `改派至${name(p.unit)}` + (p.copies && p.copies.length ? `，抄送${units(p.copies)}` : '');
    case 'sign': return pick('签收', 'Signed');
    case 'contact': return p.reached
      ? pick(`已联系诉求人（${label(METHODS, p.method)}）`, `Requester reached (${label(METHODS, p.method)})`) + (p.note ? `：${p.note}` : '')
      : pick('尝试联系诉求人，未联系上', 'Tried to reach the requester, no answer') + (p.note ? `：${p.note}` : '');
    case 'note': return pick('备注：', 'Note: ') + (p.note || '');
    case 'answer': return pick('直接答复：', 'Answered: ') + (p.answer || '');
    case 'refer': return pick(`不予派单（${label(OUTCOMES, p.outcome)}）：`, `Not dispatched (${label(OUTCOMES, p.outcome)}): `) + (p.answer || '');
    case 'whistle': return en ? `Whistle no. ${p.no}: summoned ${units(p.units)}` + (p.report_due ? `, report by ${fmtTime(p.report_due)}` : '') + (p.place ? ` at ${p.place}` : '')
      : `吹哨（第 ${p.no} 哨）：召集${units(p.units)}报到` + (p.report_due ? `，报到时限 ${fmtTime(p.report_due)}` : '') + (p.place ? `，地点：${p.place}` : '');
    case 'report': return en ? `${name(p.unit)} reported` + (p.on_site ? ' on site' : '') + (p.note ? `: ${p.note}` : '')
      : `${name(p.unit)}报到` + (p.on_site ? '（到场）' : '') + (p.note ? `：${p.note}` : '');
    case 'finish': return en ? `${name(p.unit)} finished its task: ${p.result || ''}` : `${name(p.unit)}任务办结：${p.result || ''}`;
    case 'rate': return en ? `Rated ${name(p.unit)}: timeliness ${p.timeliness}, attitude ${p.attitude}, result ${p.result}`
      : `评价${name(p.unit)}：及时性 ${p.timeliness} 分，态度 ${p.attitude} 分，效果 ${p.result} 分`;
    case 'reply': return pick(`反馈办理结果（${p.solved ? '已解决' : '未解决'}）：`, `Replied (${p.solved ? 'solved' : 'not solved'}): `) + (p.result || '');
    case 'close': return pick('办结', 'Closed');
    case 'return': return pick(`退单（${label(CAUSES, p.cause)}）：`, `Returned (${label(CAUSES, p.cause)}): `) + (p.evidence || '');
    case 'decide_return': return p.decision === 'reject' ? pick('退单审核：不同意退单，退回原单位继续办理', 'Return rejected: back to the same unit')
      : pick(`退单审核：同意，改派至${name(p.unit)}`, `Return approved: re-dispatched to ${name(p.unit)}`);
    case 'extend': return pick(`申请延期至 ${fmtTime(p.new_due)}`, `Asked for an extension to ${fmtTime(p.new_due)}`);
    case 'decide_extension': return p.approve ? pick(`延期审核：同意，反馈时限延至 ${fmtTime(p.due)}`, `Extension approved: due ${fmtTime(p.due)}`) : pick('延期审核：不同意', 'Extension refused');
    case 'supervise': return pick(`督办：${p.instruction || ''}（回复时限 ${fmtTime(p.due)}）`, `Supervision: ${p.instruction || ''} (answer by ${fmtTime(p.due)})`);
    case 'answer_supervision': return pick(`回复督办（第 ${p.no} 次）：`, `Answered supervision no. ${p.no}: `) + (p.answer || '');
    case 'escalate': return pick(`提级至${p.to === 'city' ? '市级' : '区级'}协调` + (p.copy ? `，${name(p.copy)}加入抄送` : ''), `Escalated to the ${p.to}`);
    case 'subdispatch': return pick(`下派至${units(p.units)}`, `Sub-dispatched to ${units(p.units)}`) + (p.note ? `：${p.note}` : '');
    case 'park': return pick(`挂账，计划 ${fmtTime(p.until)} 前解决`, `Parked until ${fmtTime(p.until)}`);
    case 'unpark': return pick('解除挂账，恢复办理', 'Unparked');
    case 'merge': return pick(`合并至工单 #${p.into}`, `Merged into case #${p.into}`);
    case 'link_repeat': return pick(`关联为工单 #${p.of} 的重复诉求`, `Linked as a repeat of case #${p.of}`);
    case 'callback': return p.valid
      ? (en ? `Callback: contacted ${yes(p.contacted)}, solved ${yes(p.solved)}, ${label(SATISFACTION, p.satisfaction)}` : `回访：是否联系 ${yes(p.contacted)}，是否解决 ${yes(p.solved)}，${label(SATISFACTION, p.satisfaction)}`) + (p.comment ? `（${p.comment}）` : '')
      : pick('回访未联系上诉求人（无效回访）', 'Callback did not reach the requester') + (p.comment ? `（${p.comment}）` : '');
    case 'reopen': return pick('重办', 'Reopened') + (p.feedback_due ? pick(`，新的反馈时限 ${fmtTime(p.feedback_due)}`, `, feedback due ${fmtTime(p.feedback_due)}`) : '');
    case 'apply_exclusion': return pick(`申请${label(SCOPES, p.scope)}：`, `Asked for scope ${label(SCOPES, p.scope)}: `) + (p.evidence || '');
    case 'decide_exclusion': return p.approve ? pick(`剔除审核：同意（${label(SCOPES, p.scope)}）`, `Exclusion approved (${label(SCOPES, p.scope)})`) : pick('剔除审核：不同意', 'Exclusion refused');
    case 'reveal': return pick('查看诉求人联系方式', 'Viewed the requester\'s contact');
    case 'warning': return pick(`${label(CLOCKS, p.clock)}时限临近（${fmtTime(p.due)}）`, `${label(CLOCKS, p.clock)} deadline near (${fmtTime(p.due)})`);
    case 'overdue': return pick(`${label(CLOCKS, p.clock)}超期（时限 ${fmtTime(p.due)}）`, `${label(CLOCKS, p.clock)} overdue (due ${fmtTime(p.due)})`);
    default: return actionLabel(ev.action);
  }
}

// Unit codes an event's payload names (to look their names up).
export function eventUnitCodes(ev) {
  const p = ev.payload || {};
  const out = [];
  for (const k of ['unit', 'district', 'street', 'community', 'copy']) if (typeof p[k] === 'string' && p[k]) out.push(p[k]);
  for (const k of ['units', 'copies']) if (Array.isArray(p[k])) out.push(...p[k]);
  return out;
}
