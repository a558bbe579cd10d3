/* Camera scanning at the scan station, for a phone or a tablet without a USB scanner.
 *
 * The "Camera" button opens the rear camera in an overlay and reads QR codes and Code128
 * barcodes continuously. The first code read goes into #scan-input and the scan form is
 * submitted, exactly as if a scanner had typed it; then the camera is closed.
 *
 * Decoding uses the browser's BarcodeDetector where it exists and knows both formats
 * (Chrome on Android, Safari 17+ with the flag, ChromeOS, macOS). Elsewhere the ZXing
 * library vendored in static/vendor/zxing/ is loaded, only then, on the first opening.
 * The path taken is written to <html data-scan-decoder="native|zxing"> (tests read it).
 *
 * Browsers only give the camera to secure pages (https, or localhost): on plain http
 * navigator.mediaDevices does not exist and the button stays hidden.
 */
(function () {
  "use strict";

  const button = document.getElementById("scan-camera-button");
  const overlay = document.getElementById("scan-camera");
  const form = document.getElementById("scan-form");
  const input = document.getElementById("scan-input");
  if (!button || !overlay || !form || !input) return;

  const mediaDevices = navigator.mediaDevices;
  if (!mediaDevices || typeof mediaDevices.getUserMedia !== "function") {
    button.hidden = true;
    return;
  }
  button.hidden = false;

  const video = document.getElementById("scan-camera-video");
  const status = document.getElementById("scan-camera-status");
  const closeButton = document.getElementById("scan-camera-close");
  // How long to wait between two decoding attempts: enough for a phone to breathe.
  const INTERVAL_MS = 120;
  const FORMATS = ["qr_code", "code_128"];

  let stream = null;
  let session = 0; // incremented on each opening and closing: stale callbacks give up
  let decoderPromise = null; // chosen once per page, on the first opening
  let decoderScriptPromise = null;

  function message(key) {
    return overlay.dataset[key] || "";
  }

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("scan-camera-error", Boolean(isError));
  }

  // -- decoders: each one is a function (video) -> Promise<string|null> ---------------

  async function nativeDecoder() {
    if (!("BarcodeDetector" in window)) return null;
    try {
      const supported = await window.BarcodeDetector.getSupportedFormats();
      if (!FORMATS.every((format) => supported.includes(format))) return null;
      const detector = new window.BarcodeDetector({ formats: FORMATS });
      return async function (source) {
        const codes = await detector.detect(source);
        const found = codes.find((code) => code.rawValue);
        return found ? found.rawValue : null;
      };
    } catch (error) {
      return null; // present but unusable (no platform support): fall back to ZXing
    }
  }

  function loadDecoderScript() {
    if (window.ZXing) return Promise.resolve(window.ZXing);
    if (!decoderScriptPromise) {
      decoderScriptPromise = new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = overlay.dataset.decoderSrc;
        script.async = true;
        script.onload = () => (window.ZXing ? resolve(window.ZXing) : reject(new Error("ZXing")));
        script.onerror = () => reject(new Error("ZXing could not be loaded"));
        document.head.appendChild(script);
      }).catch((error) => {
        decoderScriptPromise = null; // a later opening may try again
        throw error;
      });
    }
    return decoderScriptPromise;
  }

  async function zxingDecoder() {
    const ZXing = await loadDecoderScript();
    const hints = new Map();
    hints.set(ZXing.DecodeHintType.POSSIBLE_FORMATS, [
      ZXing.BarcodeFormat.QR_CODE,
      ZXing.BarcodeFormat.CODE_128,
    ]);
    hints.set(ZXing.DecodeHintType.TRY_HARDER, true);
    const reader = new ZXing.MultiFormatReader();
    reader.setHints(hints);
    const canvas = document.createElement("canvas");
    // Created first with this option, the context keeps the pixels on the CPU side.
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let buffer;
    return async function (source) {
      const width = source.videoWidth;
      const height = source.videoHeight;
      if (!width || !height) return null;
      if (canvas.width !== width || canvas.height !== height) {
        canvas.width = width;
        canvas.height = height;
      }
      context.drawImage(source, 0, 0, width, height);
      const luminance = new ZXing.HTMLCanvasElementLuminanceSource(canvas, false, buffer);
      buffer = luminance.getMatrix();
      try {
        const result = reader.decodeWithState(
          new ZXing.BinaryBitmap(new ZXing.HybridBinarizer(luminance))
        );
        return result.getText();
      } catch (error) {
        // NotFound, Checksum and Format exceptions all mean "nothing readable yet".
        return null;
      } finally {
        reader.reset();
      }
    };
  }

  function chooseDecoder() {
    if (!decoderPromise) {
      decoderPromise = nativeDecoder()
        .then((native) => {
          if (native) return { name: "native", decode: native };
          return zxingDecoder().then((decode) => ({ name: "zxing", decode }));
        })
        .then((decoder) => {
          document.documentElement.dataset.scanDecoder = decoder.name;
          return decoder;
        })
        .catch((error) => {
          decoderPromise = null;
          throw error;
        });
    }
    return decoderPromise;
  }

  // -- the camera ------------------------------------------------------------------

  function cameraErrorMessage(error) {
    switch (error && error.name) {
      case "NotAllowedError":
      case "PermissionDeniedError":
        return message("msgDenied");
      case "SecurityError":
        return window.isSecureContext ? message("msgDenied") : message("msgInsecure");
      case "NotFoundError":
      case "DevicesNotFoundError":
      case "OverconstrainedError":
        return message("msgNoCamera");
      case "NotReadableError":
      case "TrackStartError":
      case "AbortError":
        return message("msgBusy");
      default:
        return message("msgError");
    }
  }

  function stopStream() {
    if (stream) {
      stream.getTracks().forEach((track) => track.stop());
      stream = null;
    }
    video.srcObject = null;
  }

  async function open() {
    const mine = ++session;
    overlay.hidden = false;
    document.documentElement.classList.add("scan-camera-open");
    say(message("msgStarting"), false);
    closeButton.focus();
    let opened;
    try {
      opened = await mediaDevices.getUserMedia({
        audio: false,
        video: {
          // "ideal": a laptop with only a front camera still opens it.
          facingMode: { ideal: "environment" },
          width: { ideal: 1280 },
          height: { ideal: 720 },
        },
      });
    } catch (error) {
      if (mine === session) say(cameraErrorMessage(error), true);
      return;
    }
    if (mine !== session) {
      opened.getTracks().forEach((track) => track.stop()); // closed while we waited
      return;
    }
    stream = opened;
    video.srcObject = stream;
    try {
      await video.play();
    } catch (error) {
      // Autoplay refusals are harmless here: the video is muted and frames still arrive.
    }
    let decoder;
    try {
      decoder = await chooseDecoder();
    } catch (error) {
      if (mine === session) {
        stopStream();
        say(message("msgNoDecoder"), true);
      }
      return;
    }
    if (mine !== session) return;
    say(message("msgAim"), false);
    scanLoop(mine, decoder);
  }

  async function scanLoop(mine, decoder) {
    while (mine === session) {
      let text = null;
      if (video.readyState >= 2 /* HAVE_CURRENT_DATA */) {
        try {
          text = await decoder.decode(video);
        } catch (error) {
          text = null; // a frame that could not be read: try the next one
        }
      }
      if (mine !== session) return;
      if (text) {
        found(text);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, INTERVAL_MS));
    }
  }

  function found(text) {
    close();
    input.value = text.trim();
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit();
    } else {
      // Older browsers: a submit event, then the plain form if nobody handled it.
      const event = new Event("submit", { bubbles: true, cancelable: true });
      if (form.dispatchEvent(event)) form.submit();
    }
  }

  function close() {
    session++;
    stopStream();
    overlay.hidden = true;
    document.documentElement.classList.remove("scan-camera-open");
    input.focus();
  }

  button.addEventListener("click", open);
  closeButton.addEventListener("click", close);
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && !overlay.hidden) {
      event.preventDefault();
      close();
    }
  });
  // Clicking beside the box closes the overlay too.
  overlay.addEventListener("click", (event) => {
    if (event.target === overlay) close();
  });
  // A phone put away keeps no camera open.
  document.addEventListener("visibilitychange", () => {
    if (document.hidden && !overlay.hidden) close();
  });
})();
