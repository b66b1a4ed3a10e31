function esc(s){return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
async function refresh(){
  const rows = await (await fetch('/api/stations')).json();
  document.getElementById('t').innerHTML = rows.map(r => `<tr><td>${esc(r.station)}</td><td>${Number(r.sheets)}</td><td>${esc(r.last)}</td></tr>`).join('');
}
new EventSource('/events').onmessage = refresh; refresh();
