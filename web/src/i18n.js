// Chinese first. t('中文') returns the English text when English is chosen and
// a translation exists, else the Chinese. The choice is kept in localStorage.
const KEY = 'jiesu.lang';
let lang = 'zh';
try { lang = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh'; } catch { /* private mode */ }
const listeners = new Set();

export function getLang() { return lang; }
export function setLang(l) {
  lang = l === 'en' ? 'en' : 'zh';
  try { localStorage.setItem(KEY, lang); } catch { /* ignore */ }
  document.documentElement.lang = lang === 'en' ? 'en' : 'zh-CN';
  listeners.forEach((f) => f(lang));
}
export function onLang(f) { listeners.add(f); return () => listeners.delete(f); }

// t('共 {n} 条', {n: 3})
export function t(zh, vars) {
  let s = lang === 'en' && EN[zh] !== undefined ? EN[zh] : zh;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (vars[k] !== undefined ? String(vars[k]) : m));
  return s;
}

const EN = {
  // shell
  '接诉即办工作台': 'Jiesu workbench', '退出登录': 'Log out', 'English': 'English', '中文': '中文',
  '正在加载…': 'Loading…', '加载失败': 'Failed to load', '重试': 'Retry', '刷新': 'Refresh',
  '登录': 'Log in', '账号': 'Login', '密码': 'Password', '演示账号见 README；密码 jiesu-demo': 'Demo logins: see the README; password jiesu-demo',
  '请登录': 'Please log in', '登录已失效，请重新登录': 'Your session has ended, please log in again',
  // nav
  '受理登记': 'Intake', '回访队列': 'Callbacks', '工单查询': 'Cases', '派单台': 'Dispatch',
  '我的工单': 'My inbox', '督办台': 'Supervision', '考核排名': 'Rankings', '用户管理': 'Users',
  '单位管理': 'Units', '诉求分类': 'Categories', '节假日': 'Holidays', '工单': 'Case',
  // common
  '提交': 'Submit', '取消': 'Cancel', '保存': 'Save', '确定': 'OK', '关闭': 'Close', '搜索': 'Search',
  '上一页': 'Previous', '下一页': 'Next', '共 {n} 条': '{n} in all', '第 {p} / {n} 页': 'Page {p} of {n}',
  '暂无数据': 'Nothing here', '是': 'Yes', '否': 'No', '全部': 'All', '查看': 'Show', '编辑': 'Edit',
  '停用': 'Disable', '启用': 'Enable', '新增': 'Add', '删除': 'Delete', '已保存': 'Saved',
  '操作成功': 'Done', '原因': 'Reason', '备注': 'Note', '说明': 'Note',
  // case fields
  '工单编号': 'Case no.', '标题': 'Title', '状态': 'Status', '类型': 'Type', '渠道': 'Channel',
  '承办单位': 'Lead unit', '抄送': 'Copies', '属地': 'Place', '诉求内容': 'Content', '地址': 'Address',
  '分类': 'Category', '时限等级': 'Tier', '诉求人': 'Requester', '姓名': 'Name', '电话': 'Phone',
  '保密': 'Confidential', '受理时间': 'Received', '最近时限': 'Next deadline', '办理过程': 'Timeline',
  '可办理操作': 'Actions', '无可办理的操作': 'No action available to you now', '办理结果': 'Result',
  '吹哨任务': 'Whistle tasks', '督办': 'Supervision', '回访结果': 'Callback',
};
export default t;
