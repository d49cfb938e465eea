
(function(){
  var select=document.getElementById('track-filter');
  var boxes=Array.prototype.slice.call(document.querySelectorAll('#filters input[name=kind]'));
  function apply(){
    var track=select.value;
    boxes.forEach(function(b){document.getElementById(b.value).hidden=!b.checked;});
    document.querySelectorAll('tr[data-tracks]').forEach(function(tr){
      var tracks=JSON.parse(tr.getAttribute('data-tracks'));
      tr.hidden=track!=='' && tracks.indexOf(track)<0;
    });
    document.querySelectorAll('[data-track]').forEach(function(c){
      c.hidden=track!=='' && c.getAttribute('data-track')!==track;
    });
    document.querySelectorAll('section[data-kind]').forEach(function(s){
      var rows=s.querySelectorAll('tr[data-tracks]'), shown=0;
      rows.forEach(function(tr){if(!tr.hidden){shown++;}});
      var badge=s.querySelector('.shown');
      if(badge){badge.textContent=track===''?'':' ('+shown+' of '+rows.length+' rows for this track)';}
    });
  }
  select.addEventListener('change',apply);
  boxes.forEach(function(b){b.addEventListener('change',apply);});
  apply();
})();
