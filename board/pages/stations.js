function esc(s){return String(s).replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));}
async function refresh(){
  const rows = await (await fetch('/api/stations')).json();
  document.getElementById('t').innerHTML = rows.map(r => `<tr><td>${esc(r.station)}</td><td>${Number(r.sheets)}</td><td>${esc(r.last)}</td></tr>`).join('');
}
new EventSource('/events').onmessage = refresh; refresh();
async function join(){
  const urls = await (await fetch('/api/station-urls')).json();
  const box = document.getElementById('join');
  if (!urls.length) { box.textContent = '其他电脑要作为扫描站，请以 tallykit serve 会议文件夹 --host 0.0.0.0 启动服务器。'; return; }
  const u = urls[0];
  box.innerHTML = `<img alt="扫描站地址二维码" src="${esc(u.qr)}"><div><p>扫描站地址：<b>${esc(u.url)}</b></p>` +
    `<p>在扫描站电脑上（会议文件夹 = 该电脑上本会议文件夹的副本，令牌见服务器终端）：</p>` +
    `<p><code>tallykit scan 会议文件夹 --camera 0 --server ${esc(u.url)} --token 令牌</code></p></div>`;
}
join();
