// Offline search over the lessons on the course map (the course's own file): lunr (vendored in
// lunr/) indexes, in the browser, the lessons' text that search-index.js holds (written by
// `python -m course_utils site`; a script, not JSON, so that it loads from disk too).
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("search");
    var box = document.getElementById("search-box");
    var list = document.getElementById("search-results");
    var status = document.getElementById("search-status");
    if (!form || !window.lunr || !window.DOWNHILL_SEARCH) {
      return;
    }
    var lessons = {};
    var index = lunr(function () {
      this.ref("page");
      this.field("title", {boost: 10});
      this.field("description", {boost: 5});
      this.field("text");
      window.DOWNHILL_SEARCH.forEach(function (lesson) {
        lessons[lesson.page] = lesson;
        this.add(lesson);
      }, this);
    });

    function find(query) {
      var words = lunr.tokenizer(query).map(String).filter(Boolean);
      if (!words.length) {
        return [];
      }
      return index.query(function (search) {
        words.forEach(function (word) {
          search.term(word, {boost: 10});
          search.term(word, {wildcard: lunr.Query.wildcard.TRAILING, boost: 1});
        });
      });
    }

    function show() {
      var query = box.value.trim();
      list.textContent = "";
      if (!query) {
        status.textContent = "";
        return;
      }
      var found = find(query);
      found.forEach(function (result) {
        var lesson = lessons[result.ref];
        var item = document.createElement("li");
        var link = document.createElement("a");
        link.href = lesson.page;
        link.textContent = lesson.number + " · " + lesson.title;
        item.appendChild(link);
        item.appendChild(document.createTextNode(" — " + lesson.description));
        list.appendChild(item);
      });
      status.textContent = found.length === 1 ? "1 lesson found" :
        found.length + " lessons found";
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      show();
    });
    box.addEventListener("input", show);
    if (box.value) {
      show();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
