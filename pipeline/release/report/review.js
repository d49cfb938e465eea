
(function(){
  var token=document.body.getAttribute('data-token');
  var note=document.getElementById('review-note'), made=document.getElementById('made');
  var status=document.getElementById('review-status');
  function post(url,body){
    return fetch(url,{method:'POST',headers:{'Content-Type':'application/json','X-Ladder-Token':token},
      body:JSON.stringify(body||{})}).then(function(r){return r.json().then(function(j){
        if(!r.ok){throw new Error(j.error||r.statusText);}return j;});});
  }
  document.querySelectorAll('.act[data-decision]').forEach(function(act){
    var decision=JSON.parse(act.getAttribute('data-decision')), field=act.getAttribute('data-field'), control=null;
    if(field){
      var choices=JSON.parse(act.getAttribute('data-choices')||'null');
      control=document.createElement(choices?'select':'input');
      if(choices){choices.forEach(function(c){var o=document.createElement('option');o.value=o.textContent=c;
        control.appendChild(o);});}else{control.type='text';}
      control.value=decision[field];control.setAttribute('aria-label',field);
      act.insertBefore(control,act.firstChild);
    }
    var b=document.createElement('button');b.type='button';b.className='do';
    b.textContent=act.getAttribute('data-label');
    b.addEventListener('click',function(){
      b.disabled=true;
      if(control){decision[field]=control.value;}
      post('api/decide',{decision:decision,note:note.value})
        .then(function(j){
          var li=document.createElement('li'),pre=document.createElement('pre');pre.textContent=j.yaml;
          li.appendChild(pre);made.appendChild(li);note.value='';
          var tr=act.closest('tr');if(tr){tr.classList.add('decided');}
          b.textContent='✓ '+act.getAttribute('data-label');
          status.textContent=j.count+' decisions in '+j.file+'; rebuild to apply them.';
        })
        .catch(function(e){b.disabled=false;status.textContent='not recorded: '+e.message;});
    });
    act.insertBefore(b,control?control.nextSibling:act.firstChild);
  });
  document.getElementById('rebuild').addEventListener('click',function(){
    var r=this;r.disabled=true;status.textContent='rebuilding from the parse cache…';
    post('api/rebuild').then(function(){location.reload();})
      .catch(function(e){r.disabled=false;status.textContent='rebuild failed: '+e.message;});
  });
})();
