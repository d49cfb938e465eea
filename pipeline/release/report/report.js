
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
  // "Copy as YAML": a row's decision (data-decision, ids and values) written as the decisions file's YAML
  // list item, byte for byte what `ladder decide` writes (PyYAML safe_dump: plain scalars where PyYAML
  // writes them plain, else quoted as PyYAML quotes them). Built when the snippet is first opened.
  var ORDER=['action','behaviors','behavior','occurrence','competency','name','role','level','note','by','at'];
  var BREAKS='\n\x85\u2028\u2029', SPACES='\0 \t\r\n\x85\u2028\u2029';
  var IMPLICIT=[
    /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/,
    /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/,
    /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/,
    /^(?:<<|=|~|null|Null|NULL|)$/,
    /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/
  ];
  var ESCAPES={'\0':'0','\x07':'a','\x08':'b','\t':'t','\n':'n','\x0B':'v','\x0C':'f','\r':'r','\x1B':'e',
    '"':'"','\\':'\\','\x85':'N','\xA0':'_','\u2028':'L','\u2029':'P'};
  function hex(c,n){var h=c.toString(16).toUpperCase();while(h.length<n){h='0'+h;}return h;}
  function scalar(s){
    var chars=Array.from(s), n=chars.length, block=s.slice(0,3)==='---'||s.slice(0,3)==='...';
    var breaks=false, special=false, edge=false, breakSpace=false, spaceBreak=false, prevSpace=false, prevBreak=false;
    var before=true, after=n===1||SPACES.indexOf(chars[1])>=0;
    chars.forEach(function(ch,i){
      var c=ch.codePointAt(0), isBreak=BREAKS.indexOf(ch)>=0;
      if(i===0){
        if('#,[]{}&*!|>\'"%@`'.indexOf(ch)>=0||('?:-'.indexOf(ch)>=0&&after)){block=true;}
      }else if((ch===':'&&after)||(ch==='#'&&before)){block=true;}
      if(isBreak){breaks=true;}
      if(!(ch==='\n'||(c>=0x20&&c<=0x7E))&&!((c===0x85||(c>=0xA0&&c<=0xD7FF)||(c>=0xE000&&c<=0xFFFD)||
          (c>=0x10000&&c<0x10FFFF))&&c!==0xFEFF)){special=true;}
      if(ch===' '){if(i===0||i===n-1){edge=true;}if(prevBreak){breakSpace=true;}prevSpace=true;prevBreak=false;}
      else if(isBreak){if(i===0||i===n-1){edge=true;}if(prevSpace){spaceBreak=true;}prevSpace=false;prevBreak=true;}
      else{prevSpace=false;prevBreak=false;}
      before=SPACES.indexOf(ch)>=0;after=i+2>=n||SPACES.indexOf(chars[i+2])>=0;
    });
    var quotable=!breakSpace&&!spaceBreak&&!special;
    if(quotable&&!edge&&!breaks&&!block&&n>0&&!IMPLICIT.some(function(re){return re.test(s);})){return s;}
    if(quotable&&!breaks){return "'"+s.replace(/'/g,"''")+"'";}
    return '"'+chars.map(function(ch){
      var c=ch.codePointAt(0);
      if('"\\\x85\u2028\u2029\uFEFF'.indexOf(ch)<0&&((c>=0x20&&c<=0x7E)||(c>=0xA0&&c<=0xD7FF)||(c>=0xE000&&c<=0xFFFD))){return ch;}
      return '\\'+(ESCAPES[ch]||(c<=0xFF?'x'+hex(c,2):c<=0xFFFF?'u'+hex(c,4):'U'+hex(c,8)));
    }).join('')+'"';
  }
  function rank(k){var i=ORDER.indexOf(k);return i<0?ORDER.length:i;}
  function decisionYaml(decision,field,choices){
    var keys=Object.keys(decision).filter(function(k){return decision[k]!==''&&decision[k]!==null;});
    keys.sort(function(a,b){return rank(a)-rank(b);});
    var lines=[];
    keys.forEach(function(k,i){
      var v=decision[k], head=(i?'  ':'- ')+k+':';
      if(Array.isArray(v)){lines.push(head);v.forEach(function(x){lines.push('  - '+scalar(String(x)));});}
      else{lines.push(head+' '+scalar(String(v)));}
    });
    var text=lines.join('\n');
    if(field){text+='  # change '+field+(choices&&choices.length?': '+choices.join(', '):'');}
    return text+'\n';
  }
  window.ladderDecisionYaml=decisionYaml;
  function snippet(act){
    var pre=document.createElement('pre');pre.className='yaml';
    pre.textContent=decisionYaml(JSON.parse(act.getAttribute('data-decision')),act.getAttribute('data-field'),
      JSON.parse(act.getAttribute('data-choices')||'null'));
    var b=document.createElement('button');b.type='button';b.className='copy';b.textContent='Copy';
    b.addEventListener('click',function(){
      function done(){b.textContent='Copied';}
      if(navigator.clipboard&&window.isSecureContext){navigator.clipboard.writeText(pre.textContent).then(done);return;}
      var r=document.createRange();r.selectNodeContents(pre);var sel=getSelection();sel.removeAllRanges();sel.addRange(r);
      try{document.execCommand('copy');done();}catch(e){}
    });
    return [pre,b];
  }
  document.addEventListener('toggle',function(ev){
    var d=ev.target, act=d.parentNode;
    if(!d.open||!act||!act.classList||!act.classList.contains('act')||d.querySelector('pre.yaml')){return;}
    snippet(act).forEach(function(el){d.appendChild(el);});
  },true);
  apply();
})();
