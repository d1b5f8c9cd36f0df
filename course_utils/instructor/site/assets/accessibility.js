// Accessible names for what the widget renderer (html-manager/embed.js) draws on a lesson page
// (the course's own file, loaded right after embed.js):
// - a slider's handle (a <div role="slider">) is named by its widget's description label;
// - a demo's picture (an <img> with no alt) takes as alt the text alternative the demo keeps
//   beside it (course_utils.widgets.Demo: a visually hidden .downhill-alt element), which is
//   then hidden from screen readers so it is not read twice;
// - a dropdown or other control whose label is empty or hidden gets one from its widget.
(function () {
  "use strict";

  function text(element) {
    return element ? element.textContent.replace(/\s+/g, " ").trim() : "";
  }

  function widgetLabel(element) {
    var widget = element.closest(".widget-inline-hbox, .widget-slider, .jupyter-widgets");
    var label = widget && widget.querySelector("label.widget-label, .widget-label");
    return text(label);
  }

  function nameSliders(root) {
    root.querySelectorAll('[role="slider"]:not([aria-label]):not([aria-labelledby])')
      .forEach(function (handle) {
        handle.setAttribute("aria-label", widgetLabel(handle) || "slider");
      });
  }

  function namePictures(root) {
    // The widget renderer may draw the picture before the text beside it: until that text
    // is there, the picture has a generic alt, marked to be replaced.
    root.querySelectorAll("img.widget-image:not([alt]), img.widget-image[data-downhill-alt]")
      .forEach(function (picture) {
        var box = picture.parentElement;
        var caption = box && box.querySelector(".downhill-alt");
        if (!caption || !text(caption)) {
          picture.setAttribute("alt", "Picture drawn by the interactive demo");
          picture.setAttribute("data-downhill-alt", "generic");
          return;
        }
        picture.removeAttribute("data-downhill-alt");
        picture.setAttribute("alt", text(caption));
        caption.setAttribute("aria-hidden", "true");
        // The demo rewrites its text on every redraw: keep the picture's alt in step.
        new MutationObserver(function () {
          picture.setAttribute("alt", text(caption) || picture.getAttribute("alt"));
        }).observe(caption, {childList: true, subtree: true, characterData: true});
      });
  }

  function nameControls(root) {
    root.querySelectorAll(".jupyter-widgets select, .jupyter-widgets input")
      .forEach(function (control) {
        if (control.getAttribute("aria-label") || control.type === "hidden") {
          return;
        }
        var label = control.id && document.querySelector('label[for="' + control.id + '"]');
        if (label && text(label) && label.offsetParent !== null) {
          return;
        }
        control.setAttribute("aria-label", widgetLabel(control) || control.type || "control");
      });
  }

  function name(root) {
    nameSliders(root);
    namePictures(root);
    nameControls(root);
  }

  function start() {
    name(document);
    new MutationObserver(function () { name(document); })
      .observe(document.body, {childList: true, subtree: true});
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
