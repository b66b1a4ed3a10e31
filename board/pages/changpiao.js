function esc(s){return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
const PART = ['', '一', '丅', '下', '止'];
const STATUS = {counted: '已计入', review: '待复核', already_counted: '已记录过'};
function zheng(n){ n = Number(n) || 0; return '正'.repeat(Math.floor(n / 5)) + PART[n % 5]; }
async function refresh(){
  const d = await (await fetch('/api/changpiao')).json();
  document.getElementById('title').textContent = d.title + ' · 唱票';
  if (d.last){  // each name kept with its mark: a line may wrap between candidates, never inside one
    document.getElementById('last').innerHTML = `<b>${esc(d.last.round)} · ${esc(d.last.group)} · ` +
      `${esc(STATUS[d.last.status] || d.last.status)}${d.last.id ? ' #' + Number(d.last.id) : ''}</b><br>` +
      d.last.marked.map(m => `<span class="pair">${esc(m)}</span>`).join('　');
  }
  const head = d.columns.length ? `<tr><th></th><th></th>${d.columns.map(c => `<th>${esc(c)}</th>`).join('')}</tr>` : '';
  let post = null;
  document.getElementById('t').innerHTML = head + d.tallies.map(t => {
    const section = t.post && t.post !== post ? `<tr><td colspan="${2 + d.columns.length}" class="post">${esc(t.post)}</td></tr>` : '';
    post = t.post;
    return section + `<tr><td></td><td>${esc(t.name)}</td>` +
      t.counts.map(n => `<td><span class="n">${Number(n)}</span> <span class="zheng">${zheng(n)}</span></td>`).join('') +
      '</tr>';
  }).join('');
}
new EventSource('/events').onmessage = refresh;
refresh();
