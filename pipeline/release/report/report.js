
(function(){
  var PAGE=50;
  var select=document.getElementById('track-filter'), search=document.getElementById('search');
  var boxes=Array.prototype.slice.call(document.querySelectorAll('#filters input[name=kind]'));
  var params=new URLSearchParams(location.search);
  if(params.has('track')){select.value=params.get('track');}
  if(params.has('q')){search.value=params.get('q');}
  var hide=(params.get('hide')||'').split(',');
  boxes.forEach(function(b){if(hide.indexOf(b.value)>=0){b.checked=false;}});
  var pages=new Map();
  function save(){
    function put(k,v){if(v){params.set(k,v);}else{params.delete(k);}}
    put('track',select.value);put('q',search.value.trim());
    put('hide',boxes.filter(function(b){return !b.checked;}).map(function(b){return b.value;}).join(','));
    var qs=params.toString();
    try{history.replaceState(null,'',location.pathname+(qs?'?'+qs:'')+location.hash);}catch(e){}
  }
  function pagerOf(table){
    var pager=table.nextElementSibling;
    if(pager&&pager.classList.contains('pager')){return pager;}
    pager=document.createElement('div');pager.className='pager';
    var prev=document.createElement('button'),info=document.createElement('span'),next=document.createElement('button');
    prev.type='button';next.type='button';prev.textContent='Previous';next.textContent='Next';
    prev.className='prev';next.className='next';info.className='info';
    pager.appendChild(prev);pager.appendChild(info);pager.appendChild(next);
    table.parentNode.insertBefore(pager,table.nextSibling);
    prev.addEventListener('click',function(){pages.set(table,(pages.get(table)||0)-1);apply();});
    next.addEventListener('click',function(){pages.set(table,(pages.get(table)||0)+1);apply();});
    return pager;
  }
  function paginate(table,rows){
    var count=Math.max(1,Math.ceil(rows.length/PAGE));
    var page=Math.min(Math.max(pages.get(table)||0,0),count-1);pages.set(table,page);
    rows.forEach(function(tr,i){if(i<page*PAGE||i>=(page+1)*PAGE){tr.hidden=true;}});
    if(rows.length<=PAGE&&!(table.nextElementSibling&&table.nextElementSibling.classList.contains('pager'))){return;}
    var pager=pagerOf(table);
    pager.hidden=rows.length<=PAGE;
    pager.querySelector('.info').textContent='rows '+(page*PAGE+1)+'–'+Math.min(rows.length,(page+1)*PAGE)+' of '+rows.length;
    pager.querySelector('.prev').disabled=page===0;pager.querySelector('.next').disabled=page>=count-1;
  }
  function apply(){
    var track=select.value, words=search.value.toLowerCase().split(/\s+/).filter(Boolean);
    boxes.forEach(function(b){document.getElementById(b.value).hidden=!b.checked;});
    document.querySelectorAll('tr[data-tracks]').forEach(function(tr){
      var tracks=JSON.parse(tr.getAttribute('data-tracks'));
      var text=words.length?tr.textContent.toLowerCase():'';
      tr.hidden=(track!=='' && tracks.indexOf(track)<0)||!words.every(function(w){return text.indexOf(w)>=0;});
    });
    document.querySelectorAll('[data-track]').forEach(function(c){
      c.hidden=track!=='' && c.getAttribute('data-track')!==track;
    });
    document.querySelectorAll('section[data-kind]').forEach(function(s){
      var rows=s.querySelectorAll('tr[data-tracks]'), shown=0;
      rows.forEach(function(tr){if(!tr.hidden){shown++;}});
      var badge=s.querySelector('.shown');
      if(badge){badge.textContent=track===''&&!words.length?'':' ('+shown+' of '+rows.length+' rows match)';}
      s.querySelectorAll('table').forEach(function(table){
        paginate(table,Array.prototype.filter.call(table.querySelectorAll('tbody tr'),function(tr){return !tr.hidden;}));
      });
    });
    save();
  }
  select.addEventListener('change',function(){pages.clear();apply();});
  search.addEventListener('input',function(){pages.clear();apply();});
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  document.querySelectorAll('pre.yaml').forEach(function(pre){
    var b=document.createElement('button');b.type='button';b.className='copy';b.textContent='Copy';
    b.addEventListener('click',function(){
      function done(){b.textContent='Copied';}
      if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(pre.textContent).then(done);return;}
      var r=document.createRange();r.selectNodeContents(pre);var sel=getSelection();sel.removeAllRanges();sel.addRange(r);
      try{document.execCommand('copy');done();}catch(e){}
    });
    pre.parentNode.appendChild(b);
  });
  apply();
})();
