// placeholder: the real script comes from the js branch
function init(evt) {}
