function esc(s){return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
const PART = ['', '一', '丅', '下', '止'];
function zheng(n){ return '正'.repeat(Math.floor(n / 5)) + PART[n % 5]; }
async function refresh(){
  const d = await (await fetch('/api/changpiao')).json();
  document.getElementById('title').textContent = d.title + ' · 唱票';
  if (d.last){
    document.getElementById('last').innerHTML = `<b>${esc(d.last.round)} · ${esc(d.last.group)} · ` +
      `${esc(d.last.status)}${d.last.id ? ' #' + d.last.id : ''}</b><br>` + d.last.marked.map(esc).join('　');
  }
  document.getElementById('t').innerHTML = d.tallies.map(t =>
    `<tr><td>${esc(t.name)}</td><td class="zheng">${zheng(t.count)}</td><td class="n">${t.count}</td></tr>`).join('');
}
new EventSource('/events').onmessage = refresh;
refresh();
