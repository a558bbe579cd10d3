// The sale page: a scanner types at the caret, after the tags already there.
  // Put the caret after the tags already there (from the device page's "Sell" link,
  // or a check), on a new line.
  (function () {
    var tags = document.getElementById("id_tags");
    if (!tags || !tags.value.trim()) { return; }
    if (!/\n$/.test(tags.value)) { tags.value += "\n"; }
    tags.setSelectionRange(tags.value.length, tags.value.length);
  })();
