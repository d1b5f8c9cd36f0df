// MathJax 3 for the course site (the course's own file, loaded before mathjax/tex-svg-full.js):
// formulas are written $...$ and $$...$$ as in the notebooks; code and outputs are left alone.
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
    tags: "ams"
  },
  svg: {fontCache: "global"},
  // Each formula also carries its MathML, hidden on screen, for screen readers (the full build
  // includes a11y/assistive-mml, so nothing is fetched).
  options: {
    enableAssistiveMml: true,
    menuOptions: {settings: {assistiveMml: true}}
  },
  startup: {
    ready: function () {
      MathJax.startup.defaultReady();
      // The widget renderer typesets labels through MathJax 2's API: pass them on to 3's.
      MathJax.Hub = {
        Queue: function (job) {
          MathJax.startup.promise.then(function () { return MathJax.typesetPromise([job[2]]); });
        }
      };
    }
  }
};
